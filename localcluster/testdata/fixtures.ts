// Test fixtures: the Widget CRD (shaped like the project's job kinds) and builders for
// widgets and config maps, read from this directory.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { Obj } from "../types.ts";

/** widgetCrd is the test CRD: printer columns, CEL rules, defaults, enums, bounds, status. */
export const widgetCrd: Obj = parse(readFileSync(new URL("./crd.yaml", import.meta.url), "utf8")) as Obj;

/** widget builds a valid Widget named name with optional spec overrides. */
export function widget(name: string, spec: Obj = {}): Obj {
  return { apiVersion: "example.temper.dev/v1alpha1", kind: "Widget", metadata: { name }, spec: { replicas: 2, source: { url: "https://example.com/d" }, ...spec } };
}

/** configMap builds a ConfigMap with optional metadata extras. */
export function configMap(name: string, meta: Obj = {}, data: Obj = { a: "b" }): Obj {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, ...meta }, data };
}

/** WIDGETS is the collection path of widgets in a namespace. */
export function widgetsPath(ns: string): string {
  return `/apis/example.temper.dev/v1alpha1/namespaces/${ns}/widgets`;
}
