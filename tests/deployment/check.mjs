// Offline checks of the deployment, run by tests/Targeting.Deployment.Tests:
//
//   node check.mjs manifests FILE...   FILE: `kubectl kustomize` output (YAML) or a JSON array of objects
//   node check.mjs to-json FILE        the YAML documents of FILE as one JSON array (for tests to mutate)
//   node check.mjs dockerfile FILE...  the Dockerfile rules
//
// Prints {"objects": n, "errors": [{"rule", "object", "message"}]} and exits 1 when there are errors.
// Kubernetes objects are validated against the Kubernetes OpenAPI schemas that kubernetes-models
// compiles (ajv); Dapr's Configuration, a CRD outside those schemas, is shape-checked here. The
// policies are the project's own (docs/deployment.md, "What the tests check").
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { DockerfileParser } from "dockerfile-ast";

// The calls the design makes (DESIGN.md, Deployment): caller -> callee, as Dapr app ids.
export const ALLOWED_CALLS = [
  "stops->hotspot",
  "feedback->hotspot",
  "feedback->stops",
  "web->hotspot",
  "web->stops",
  "web->feedback",
];
// Who may open a connection to PostGIS: the two stores and the backup job.
const DATABASE_CLIENTS = ["hotspot", "stops", "postgres-backup"];
// The one workload reachable from outside the namespace.
const EXPOSED = "web";
const NAME = "app.kubernetes.io/name";

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"]);
const LONG_RUNNING = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);

const errors = [];
const fail = (rule, object, message) => errors.push({ rule, object: object ? id(object) : "", message });
const id = (o) => `${o?.kind ?? "?"}/${o?.metadata?.namespace ? o.metadata.namespace + "/" : ""}${o?.metadata?.name ?? "?"}`;

function readObjects(file) {
  const text = readFileSync(file, "utf8");
  if (file.endsWith(".json")) {
    return JSON.parse(text);
  }
  const objects = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new Error(`${file}: ${doc.errors[0].message}`);
    }
    const value = doc.toJS();
    if (value !== null && value !== undefined) {
      objects.push(value);
    }
  }
  return objects;
}

// --- Kubernetes schemas ---------------------------------------------------------------------

// "apps/v1" + "Deployment" -> kubernetes-models/apps/v1/Deployment; core "v1" -> kubernetes-models/v1/...
async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[A-Za-z]+$/.test(kind)) {
    return null;
  }
  try {
    const module = await import(`kubernetes-models/${apiVersion}/${kind}`);
    return module[kind] ?? null;
  } catch {
    return null;
  }
}

async function checkSchema(object) {
  if (object.apiVersion?.startsWith("dapr.io/")) {
    checkDaprShape(object);
    return;
  }
  const Model = await modelFor(object.apiVersion, object.kind);
  if (Model === null) {
    fail("schema", object, `no Kubernetes schema for ${object.apiVersion} ${object.kind}`);
    return;
  }
  try {
    new Model(object).validate();
  } catch (e) {
    fail("schema", object, e.message);
  }
  if (!object.metadata?.name) {
    fail("schema", object, "metadata.name is required");
  }
}

// Dapr's Configuration CRD (dapr.io/v1alpha1): the parts the deployment uses, nothing unknown.
function checkDaprShape(object) {
  const problems = [];
  const only = (value, path, keys) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      problems.push(`${path} must be an object`);
      return false;
    }
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) {
        problems.push(`${path}.${key} is not a field of a Dapr Configuration`);
      }
    }
    return true;
  };
  const action = (value, path) => {
    if (value !== "allow" && value !== "deny") {
      problems.push(`${path} must be allow or deny, not ${JSON.stringify(value)}`);
    }
  };
  const text = (value, path) => {
    if (typeof value !== "string" || value.length === 0) {
      problems.push(`${path} must be a non-empty string`);
    }
  };
  if (object.apiVersion !== "dapr.io/v1alpha1" || object.kind !== "Configuration") {
    problems.push(`${object.apiVersion} ${object.kind} is not a Dapr resource this deployment uses`);
  } else if (only(object, "", ["apiVersion", "kind", "metadata", "spec"]) && only(object.spec, "spec", ["accessControl", "mtls"])) {
    text(object.metadata?.name, "metadata.name");
    const mtls = object.spec.mtls;
    if (mtls !== undefined && only(mtls, "spec.mtls", ["enabled", "workloadCertTTL", "allowedClockSkew", "sentryAddress", "controlPlaneTrustDomain"])) {
      if (typeof mtls.enabled !== "boolean") {
        problems.push("spec.mtls.enabled must be a boolean");
      }
      for (const key of ["workloadCertTTL", "allowedClockSkew"]) {
        if (mtls[key] !== undefined && !/^(\d+(\.\d+)?(h|m|s|ms))+$/.test(String(mtls[key]))) {
          problems.push(`spec.mtls.${key} must be a Go duration such as 24h`);
        }
      }
    }
    const acl = object.spec.accessControl;
    if (acl !== undefined && only(acl, "spec.accessControl", ["defaultAction", "trustDomain", "policies"])) {
      action(acl.defaultAction, "spec.accessControl.defaultAction");
      text(acl.trustDomain, "spec.accessControl.trustDomain");
      if (!Array.isArray(acl.policies)) {
        problems.push("spec.accessControl.policies must be a list");
      } else {
        acl.policies.forEach((policy, i) => {
          const path = `spec.accessControl.policies[${i}]`;
          if (only(policy, path, ["appId", "defaultAction", "trustDomain", "namespace", "operations"])) {
            text(policy.appId, `${path}.appId`);
            action(policy.defaultAction, `${path}.defaultAction`);
            text(policy.trustDomain, `${path}.trustDomain`);
            text(policy.namespace, `${path}.namespace`);
            (policy.operations ?? []).forEach((operation, j) => {
              if (only(operation, `${path}.operations[${j}]`, ["name", "httpVerb", "action"])) {
                text(operation.name, `${path}.operations[${j}].name`);
                action(operation.action, `${path}.operations[${j}].action`);
              }
            });
          }
        });
      }
    }
  }
  for (const problem of problems) {
    fail("dapr-schema", object, problem);
  }
}

// --- Workload policies ----------------------------------------------------------------------

function podTemplate(object) {
  switch (object.kind) {
    case "Pod":
      return { metadata: object.metadata, spec: object.spec };
    case "CronJob":
      return object.spec?.jobTemplate?.spec?.template;
    default:
      return object.spec?.template;
  }
}

function checkWorkload(object) {
  const template = podTemplate(object);
  const pod = template?.spec;
  if (!pod) {
    fail("schema", object, "no pod template");
    return;
  }
  const podSecurity = pod.securityContext ?? {};
  if ((podSecurity.seccompProfile?.type ?? "") !== "RuntimeDefault") {
    fail("seccomp", object, "the pod's securityContext.seccompProfile.type must be RuntimeDefault");
  }
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) {
    fail("host-namespaces", object, "hostNetwork, hostPID and hostIPC must be off");
  }
  const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
  for (const container of containers) {
    const where = `container ${container.name}`;
    const security = container.securityContext ?? {};
    const resources = container.resources ?? {};
    for (const kind of ["requests", "limits"]) {
      for (const resource of ["cpu", "memory"]) {
        if (resources[kind]?.[resource] === undefined) {
          fail("limits", object, `${where} has no resources.${kind}.${resource}`);
        }
      }
    }
    const nonRoot = security.runAsNonRoot ?? podSecurity.runAsNonRoot;
    const user = security.runAsUser ?? podSecurity.runAsUser;
    if (nonRoot !== true || user === 0) {
      fail("non-root", object, `${where} must run with runAsNonRoot: true (and not as uid 0)`);
    }
    if (security.readOnlyRootFilesystem !== true) {
      fail("read-only-root", object, `${where} must set readOnlyRootFilesystem: true`);
    } else if (!(container.volumeMounts ?? []).some((m) => m.mountPath === "/tmp")) {
      fail("read-only-root", object, `${where} has a read-only root but no writable /tmp (an emptyDir)`);
    }
    if (security.allowPrivilegeEscalation !== false || security.privileged === true) {
      fail("privilege", object, `${where} must set allowPrivilegeEscalation: false and not be privileged`);
    }
    if (!(security.capabilities?.drop ?? []).includes("ALL") || (security.capabilities?.add ?? []).length > 0) {
      fail("privilege", object, `${where} must drop ALL capabilities and add none`);
    }
    if (typeof container.image !== "string" || !/:[^/]+$|@sha256:[0-9a-f]{64}$/.test(container.image) || /:latest$/.test(container.image)) {
      fail("image-pinned", object, `${where} image ${container.image} has no version tag or digest`);
    }
  }
  if (LONG_RUNNING.has(object.kind)) {
    const grpcApp = template.metadata?.annotations?.["dapr.io/app-protocol"] === "grpc";
    for (const container of pod.containers ?? []) {
      const where = `container ${container.name}`;
      for (const probe of ["livenessProbe", "readinessProbe"]) {
        const p = container[probe];
        if (!p || !(p.grpc || p.httpGet || p.exec || p.tcpSocket)) {
          fail("probes", object, `${where} has no ${probe}`);
        } else if (grpcApp && !p.grpc) {
          fail("probes", object, `${where} serves gRPC: its ${probe} must be a native grpc probe on the health service`);
        } else if (grpcApp && probe === "readinessProbe" && !p.grpc.service) {
          fail("probes", object, `${where}: readiness must ask for the service's own health name (its store), not "" (the server)`);
        }
      }
    }
  }
}

// --- Services and NetworkPolicies -----------------------------------------------------------

const matches = (selector, labels) => {
  if (!selector) {
    return false;
  }
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    switch (e.operator) {
      case "In":
        return e.values.includes(labels[e.key]);
      case "NotIn":
        return !e.values.includes(labels[e.key]);
      case "Exists":
        return e.key in labels;
      case "DoesNotExist":
        return !(e.key in labels);
      default:
        return false;
    }
  });
  return byLabels && byExpressions;
};
const isEmptySelector = (s) => Object.keys(s?.matchLabels ?? {}).length === 0 && (s?.matchExpressions ?? []).length === 0;

function checkNetwork(objects) {
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
  const namespaces = new Set(workloads.map((w) => w.metadata?.namespace ?? ""));
  for (const namespace of namespaces) {
    const deny = policies.some((p) => (p.metadata?.namespace ?? "") === namespace && isEmptySelector(p.spec?.podSelector)
      && ["Ingress", "Egress"].every((t) => (p.spec?.policyTypes ?? []).includes(t))
      && (p.spec?.ingress ?? []).length === 0 && (p.spec?.egress ?? []).length === 0);
    if (!deny) {
      fail("network-default-deny", null, `namespace ${namespace || "(none)"} has no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)`);
    }
  }

  // Every Service's pods are selected by a NetworkPolicy of their own (not only the default deny).
  for (const service of objects.filter((o) => o.kind === "Service")) {
    const selector = service.spec?.selector ?? {};
    if (Object.keys(selector).length === 0) {
      fail("service-network-policy", service, "a Service without a selector escapes the pod policies");
      continue;
    }
    const pods = workloads.map((w) => podTemplate(w)?.metadata?.labels ?? {}).filter((labels) => Object.entries(selector).every(([k, v]) => labels[k] === v));
    if (pods.length === 0) {
      fail("service-network-policy", service, "selects no workload's pods");
      continue;
    }
    const covered = pods.every((labels) => policies.some((p) => (p.metadata?.namespace ?? "") === (service.metadata?.namespace ?? "")
      && !isEmptySelector(p.spec?.podSelector) && matches(p.spec.podSelector, labels) && (p.spec?.policyTypes ?? []).includes("Ingress")));
    if (!covered) {
      fail("service-network-policy", service, "no NetworkPolicy selects its pods");
    }
  }

  // Who may connect to whom, by app.kubernetes.io/name, from the ingress rules.
  const names = workloads.map((w) => podTemplate(w)?.metadata?.labels?.[NAME]).filter(Boolean);
  const edges = new Set();
  for (const policy of policies) {
    const targets = names.filter((n) => matches(policy.spec?.podSelector, { [NAME]: n }) && !isEmptySelector(policy.spec?.podSelector));
    for (const rule of policy.spec?.ingress ?? []) {
      for (const peer of rule.from ?? [{}]) {
        if (peer.ipBlock || peer.namespaceSelector || Object.keys(peer).length === 0) {
          for (const target of targets) {
            if (target !== EXPOSED) {
              fail("exposure", policy, `admits traffic from outside the namespace (or from anywhere) to ${target}; only ${EXPOSED} is exposed`);
            }
          }
          continue;
        }
        for (const source of names.filter((n) => matches(peer.podSelector, { [NAME]: n }))) {
          for (const target of targets) {
            edges.add(`${source}->${target}`);
          }
        }
      }
    }
  }
  const expected = new Set([...ALLOWED_CALLS, ...DATABASE_CLIENTS.map((c) => `${c}->postgres`)]);
  for (const edge of edges) {
    if (!expected.has(edge)) {
      fail("network-graph", null, `NetworkPolicies let ${edge} connect, which the design does not call`);
    }
  }
  for (const edge of expected) {
    if (!edges.has(edge)) {
      fail("network-graph", null, `NetworkPolicies do not let ${edge} connect, which the design needs`);
    }
  }

  for (const service of objects.filter((o) => o.kind === "Service")) {
    if (["LoadBalancer", "NodePort"].includes(service.spec?.type) && service.spec?.selector?.[NAME] !== EXPOSED) {
      fail("exposure", service, `type ${service.spec.type}: only ${EXPOSED} is exposed`);
    }
  }
  for (const ingress of objects.filter((o) => o.kind === "Ingress")) {
    const backends = (ingress.spec?.rules ?? []).flatMap((r) => r.http?.paths ?? []).map((p) => p.backend?.service?.name);
    if (ingress.spec?.defaultBackend) {
      backends.push(ingress.spec.defaultBackend.service?.name);
    }
    for (const backend of backends.filter((b) => b !== EXPOSED)) {
      fail("exposure", ingress, `routes to ${backend}; only ${EXPOSED} is exposed`);
    }
  }
}

// --- Dapr -----------------------------------------------------------------------------------

function checkDapr(objects) {
  const configurations = new Map(objects.filter((o) => o.apiVersion?.startsWith("dapr.io/") && o.kind === "Configuration")
    .map((c) => [`${c.metadata?.namespace ?? ""}/${c.metadata?.name}`, c]));
  const system = [...configurations.values()].find((c) => c.metadata?.name === "daprsystem");
  if (!system || system.spec?.mtls?.enabled !== true) {
    fail("dapr-mtls", system ?? null, "the Configuration daprsystem (dapr-system) must set spec.mtls.enabled: true");
  }

  const apps = [];
  for (const workload of objects.filter((o) => LONG_RUNNING.has(o.kind))) {
    const template = podTemplate(workload);
    const annotations = template?.metadata?.annotations ?? {};
    const name = template?.metadata?.labels?.[NAME];
    if (!["hotspot", "stops", "feedback", "web"].includes(name)) {
      continue;
    }
    if (annotations["dapr.io/enabled"] !== "true" || !annotations["dapr.io/app-id"] || !annotations["dapr.io/config"]) {
      fail("dapr-annotations", workload, "needs dapr.io/enabled \"true\", dapr.io/app-id and dapr.io/config");
      continue;
    }
    if (name !== EXPOSED) {
      const ports = (template.spec?.containers ?? []).flatMap((c) => c.ports ?? []).map((p) => String(p.containerPort));
      if (annotations["dapr.io/app-protocol"] !== "grpc" || !ports.includes(annotations["dapr.io/app-port"])) {
        fail("dapr-annotations", workload, "a gRPC service needs dapr.io/app-protocol grpc and dapr.io/app-port naming its container port");
      }
    }
    apps.push({ workload, appId: annotations["dapr.io/app-id"], namespace: workload.metadata?.namespace ?? "", config: annotations["dapr.io/config"] });
  }

  const appIds = new Set(apps.map((a) => a.appId));
  const allowed = new Set();
  for (const callee of apps) {
    const configuration = configurations.get(`${callee.namespace}/${callee.config}`);
    const acl = configuration?.spec?.accessControl;
    if (!acl) {
      fail("dapr-access-control", callee.workload, `its Configuration ${callee.config} is missing or has no accessControl`);
      continue;
    }
    if (acl.defaultAction !== "deny") {
      fail("dapr-access-control", configuration, "accessControl.defaultAction must be deny");
      for (const caller of appIds) {
        allowed.add(`${caller}->${callee.appId}`);
      }
    }
    for (const policy of acl.policies ?? []) {
      if (policy.namespace !== callee.namespace || policy.trustDomain !== acl.trustDomain) {
        fail("dapr-access-control", configuration, `policy for ${policy.appId}: namespace ${policy.namespace} / trust domain ${policy.trustDomain} must be the app's (${callee.namespace} / ${acl.trustDomain}), or it matches no caller`);
        continue;
      }
      const opens = policy.defaultAction === "allow" || (policy.operations ?? []).some((o) => o.action === "allow");
      if (opens) {
        allowed.add(`${policy.appId}->${callee.appId}`);
      }
    }
  }
  const expected = new Set(ALLOWED_CALLS);
  for (const call of allowed) {
    if (!expected.has(call)) {
      fail("dapr-access-control", null, `Dapr lets ${call} call, which the design does not`);
    }
  }
  for (const call of expected) {
    if (!allowed.has(call)) {
      fail("dapr-access-control", null, `Dapr does not let ${call} call, which the design needs`);
    }
  }
}

function checkSecrets(objects) {
  for (const secret of objects.filter((o) => o.kind === "Secret")) {
    fail("no-committed-secret", secret, "a Secret is rendered from the repository: create it with kubectl create secret instead (docs/deployment.md)");
  }
}

// --- Dockerfiles ----------------------------------------------------------------------------

function checkDockerfile(file) {
  const object = { kind: "Dockerfile", metadata: { name: file } };
  const dockerfile = DockerfileParser.parse(readFileSync(file, "utf8"));
  const froms = dockerfile.getFROMs();
  if (froms.length < 2) {
    fail("docker-multi-stage", object, "build with the SDK in one stage and run on the runtime image in another");
  }
  const imageOf = (from) => (from.getRegistry() ? from.getRegistry() + "/" : "") + (from.getImageName() ?? "");
  for (const from of froms) {
    const image = imageOf(from);
    const tag = from.getImageTag() ?? "";
    const digest = from.getImageDigest();
    if (!digest && !/^\d+\.\d+\.\d+/.test(tag)) {
      fail("docker-pinned", object, `FROM ${from.getImage()}: pin a full version tag (e.g. 10.0.12-...) or a digest`);
    }
    if (froms.indexOf(from) < froms.length - 1 && image !== "mcr.microsoft.com/dotnet/sdk") {
      fail("docker-base", object, `build stage FROM ${image}: build with mcr.microsoft.com/dotnet/sdk`);
    }
  }
  const last = froms.at(-1);
  const runtimeImage = last ? imageOf(last) : "";
  const runtimeTag = last?.getImageTag() ?? "";
  if (runtimeImage !== "mcr.microsoft.com/dotnet/aspnet" || !/(chiseled|slim)/.test(runtimeTag)) {
    fail("docker-base", object, `runtime FROM ${runtimeImage}:${runtimeTag}: run on a chiselled or slim mcr.microsoft.com/dotnet/aspnet image`);
  }
  if (/chiseled/.test(runtimeTag) && !/chiseled-extra/.test(runtimeTag)) {
    fail("docker-tzdata", object, "the services compute in Europe/London time: a chiselled runtime needs the -extra variant (tzdata)");
  }
  // Instructions of the final stage only: those after its FROM.
  const finalStage = dockerfile.getInstructions().filter((i) => last && i.getRange().start.line > last.getRange().start.line);
  const users = finalStage.filter((i) => i.getKeyword() === "USER");
  const user = users.at(-1)?.getArgumentsContent()?.trim() ?? "";
  if (!user || /^(root|0)(:.*)?$/.test(user)) {
    fail("docker-user", object, "the final stage must switch to a non-root USER (e.g. $APP_UID)");
  }
  if (finalStage.some((i) => i.getKeyword() === "HEALTHCHECK" && !/^NONE$/i.test(i.getArgumentsContent()?.trim() ?? ""))) {
    fail("docker-healthcheck", object, "no HEALTHCHECK: Kubernetes probes the health service");
  }
  const entrypoint = finalStage.filter((i) => i.getKeyword() === "ENTRYPOINT").at(-1);
  if (!entrypoint || !entrypoint.getArgumentsContent()?.trim().startsWith("[")) {
    fail("docker-entrypoint", object, "an exec-form ENTRYPOINT [\"dotnet\", \"X.dll\"] (a chiselled image has no shell)");
  }
}

// --- main -----------------------------------------------------------------------------------

const [command, ...files] = process.argv.slice(2);
let count = 0;
if (command === "to-json") {
  process.stdout.write(JSON.stringify(readObjects(files[0])));
  process.exit(0);
} else if (command === "manifests") {
  const objects = files.flatMap(readObjects);
  count = objects.length;
  for (const object of objects) {
    await checkSchema(object);
    if (WORKLOAD_KINDS.has(object.kind)) {
      checkWorkload(object);
    }
  }
  checkNetwork(objects);
  checkDapr(objects);
  checkSecrets(objects);
} else if (command === "dockerfile") {
  count = files.length;
  files.forEach(checkDockerfile);
} else {
  process.stderr.write("usage: node check.mjs manifests FILE... | to-json FILE | dockerfile FILE...\n");
  process.exit(2);
}
process.stdout.write(JSON.stringify({ objects: count, errors }, null, 1) + "\n");
process.exit(errors.length > 0 ? 1 : 0);
