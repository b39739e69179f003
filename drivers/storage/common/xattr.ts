// Extended attributes. Node has no xattr API, so batches of get/set calls go to one short
// python3 process (Debian's python3 is installed with python3-docker), never following symlinks.
import { execFile } from 'node:child_process';
import { PYTHON_PATH } from '../../../kernel/process/python.ts';

const PYTHON = PYTHON_PATH ?? 'python3'; // else whatever PATH holds

const SCRIPT = `
import base64, json, os, sys
req = json.load(sys.stdin)
out = {"values": {}, "errors": []}
if req["op"] == "set":
    for path, name, value in req["items"]:
        try:
            os.setxattr(path, name, base64.b64decode(value), follow_symlinks=False)
        except OSError as e:
            out["errors"].append("%s: %s: %s" % (path, name, e.strerror))
else:
    want = req.get("names")
    for path in req["paths"]:
        try:
            names = want if want is not None else os.listxattr(path, follow_symlinks=False)
            vals = {}
            for n in names:
                try:
                    vals[n] = base64.b64encode(os.getxattr(path, n, follow_symlinks=False)).decode()
                except OSError:
                    pass
            if vals:
                out["values"][path] = vals
        except OSError as e:
            out["errors"].append("%s: %s" % (path, e.strerror))
json.dump(out, sys.stdout)
`;

interface PyResult { values: Record<string, Record<string, string>>; errors: string[] }

function runPython(request: unknown): Promise<PyResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, ['-c', SCRIPT], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`xattr helper (${PYTHON}) failed: ${stderr || err.message}`));
      resolve(JSON.parse(stdout) as PyResult);
    });
    child.stdin!.end(JSON.stringify(request));
  });
}

export interface XattrSet { path: string; name: string; value: Buffer }

/** Sets attributes in one batch; returns one message per attribute that could not be set. */
export async function setXattrs(items: XattrSet[]): Promise<string[]> {
  if (items.length === 0) return [];
  const r = await runPython({ op: 'set', items: items.map((i) => [i.path, i.name, i.value.toString('base64')]) });
  return r.errors;
}

/** Reads attributes of many paths at once (all of them, or only `names`); paths without any are absent. */
export async function getXattrs(paths: string[], names?: string[]): Promise<Map<string, Record<string, Buffer>>> {
  const result = new Map<string, Record<string, Buffer>>();
  if (paths.length === 0) return result;
  const r = await runPython({ op: 'get', paths, names: names ?? null });
  for (const [path, vals] of Object.entries(r.values)) {
    result.set(path, Object.fromEntries(Object.entries(vals).map(([n, v]) => [n, Buffer.from(v, 'base64')])));
  }
  return result;
}

/** overlayfs keeps its own bookkeeping in trusted.overlay.*: never copy it in or out of a layer tar. */
export const isOverlayPrivate = (name: string) => name.startsWith('trusted.overlay.');
