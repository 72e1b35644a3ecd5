// leaflet.markercluster extends the global L, so Leaflet is made global before it loads.
import L from 'leaflet';

window.L = L;
export default L;
