// Bundles the pages with esbuild into dist/ (run by the web project's build; see Targeting.Web.csproj).
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
await esbuild.build({
  entryPoints: { map: 'src/map.js', public: 'src/public.js', dashboard: 'src/dashboard.js' },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'iife',
  target: ['chrome110', 'firefox110'],
  outdir: 'dist',
  loader: { '.png': 'file', '.svg': 'file' },
  assetNames: 'assets/[name]-[hash]',
  logLevel: 'warning',
});
cpSync('public', 'dist', { recursive: true });
