// crd: turns a kind's zod schema into an apiextensions.k8s.io/v1 CustomResourceDefinition.
// zod's OpenAPI 3.0 output is close to a structural schema; the differences the apiserver
// rejects or that lose information are fixed here, each with its reason. Pure: no I/O.
import { z } from "zod";
import type { KindInfo } from "./kinds.ts";
import { group, labels, version } from "./meta.ts";

type Node = Record<string, unknown>;

const maxSafe = Number.MAX_SAFE_INTEGER;
const int32 = 2147483647;

/** structural rewrites one zod-generated schema node (and its children) into a structural one. */
function structural(node: Node): Node {
  const out: Node = { ...node };
  delete out.$schema;
  // propertyNames is not a JSONSchemaProps field.
  delete out.propertyNames;
  if (out["x-kubernetes-preserve-unknown-fields"] === true) {
    // Opaque Kubernetes types (affinity, volumes) pass through: no properties to prune by.
    delete out.additionalProperties;
    return out;
  }
  if (out.type === "integer") {
    // zod bounds every int by ±2^53; the apiserver wants int32/int64 formats instead.
    if (out.minimum === -maxSafe) delete out.minimum;
    if (out.maximum === maxSafe) delete out.maximum;
    const max = typeof out.maximum === "number" ? out.maximum : maxSafe;
    out.format = max <= int32 ? "int32" : "int64";
  }
  if (out.properties !== undefined) {
    // "additionalProperties and properties are mutually exclusive", even when false: pruning
    // removes unknown fields instead, and fieldValidation=Strict reports them.
    delete out.additionalProperties;
    const props: Node = {};
    for (const [k, v] of Object.entries(out.properties as Node)) props[k] = structural(v as Node);
    out.properties = props;
  } else if (typeof out.additionalProperties === "object" && out.additionalProperties !== null) {
    out.additionalProperties = structural(out.additionalProperties as Node);
  }
  if (out.items !== undefined) out.items = structural(out.items as Node);
  return out;
}

/** openAPIV3Schema returns the structural schema of a kind as the CRD carries it. */
export function openAPIV3Schema(info: KindInfo): Node {
  const raw = z.toJSONSchema(info.schema, { target: "openapi-3.0", io: "input", unrepresentable: "any" }) as Node;
  const root = structural(raw);
  const props = root.properties as Node;
  // Type metadata is the apiserver's business: plain types, as every CRD declares them.
  props.apiVersion = { type: "string", description: "apiVersion is temper.dev/v1alpha1." };
  props.kind = { type: "string", description: `kind is ${info.kind}.` };
  props.metadata = { type: "object" };
  root.required = ["spec"];
  root.description = `${info.kind} is a temper ${info.kind === "SFTJob" ? "supervised fine-tuning" : "reinforcement learning (GRPO)"} job.`;
  return root;
}

/** customResourceDefinition returns the whole CRD object for a kind. */
export function customResourceDefinition(info: KindInfo): Node {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${info.plural}.${group}`, labels: { [labels.appName]: "temper", [labels.partOf]: "temper" } },
    spec: {
      group,
      scope: "Namespaced",
      names: {
        kind: info.kind,
        listKind: `${info.kind}List`,
        plural: info.plural,
        singular: info.singular,
        shortNames: info.shortNames,
        categories: info.categories,
      },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: openAPIV3Schema(info) },
          subresources: { status: {} },
          additionalPrinterColumns: info.printerColumns,
        },
      ],
    },
  };
}
