// Builds the import object for a jco-transpiled component from only the preview2-shim
// modules its imports name (loading http and sockets costs start time for nothing in a
// CLI program), sandboxed: the given preopens, env, args and cwd, network only if allowed.
const camel = (s) => s.replace(/-([a-z])/g, (_m, c) => c.toUpperCase());

/** "wasi:cli/terminal-input@0.2.3" -> ["cli", "terminalInput"]; undefined for non-WASI imports */
export function splitImport(name) {
  const m = /^wasi:([a-z-]+)\/([a-z-]+)(@.*)?$/.exec(name);
  return m ? [m[1], camel(m[2])] : undefined;
}

const MODULES = {
  cli: () => import('@bytecodealliance/preview2-shim/cli'),
  clocks: () => import('@bytecodealliance/preview2-shim/clocks'),
  filesystem: () => import('@bytecodealliance/preview2-shim/filesystem'),
  io: () => import('@bytecodealliance/preview2-shim/io'),
  random: () => import('@bytecodealliance/preview2-shim/random'),
  sockets: () => import('@bytecodealliance/preview2-shim/sockets'),
  http: () => import('@bytecodealliance/preview2-shim/http'),
};

/** starts loading the shim modules a component needs (call early, await in buildImports) */
export function preloadShim(imports) {
  const pkgs = new Set(imports.map(splitImport).filter(Boolean).map(([pkg]) => pkg));
  return Object.fromEntries([...pkgs].filter((p) => MODULES[p]).map((p) => [p, MODULES[p]()]));
}

/**
 * The sandbox is read when the guest calls, not when the imports are built, so a runner
 * can instantiate a component before it knows the container (args, env, preopens, network)
 * and fill `sandbox` in just before running it.
 */
export async function buildImports(imports, sandbox, loading = preloadShim(imports)) {
  const mods = {};
  for (const [pkg, p] of Object.entries(loading)) mods[pkg] = await p;
  const once = (make) => {
    let v;
    return () => (v ??= make());
  };
  const fs = once(() => mods.filesystem.createFilesystem({ preopens: sandbox.preopens }));
  const net = once(() => mods.sockets.createSockets({ enableNetwork: sandbox.network }));
  const namespaces = {
    cli: () => ({
      ...mods.cli,
      environment: {
        getEnvironment: () => sandbox.env,
        getArguments: () => sandbox.args,
        initialCwd: () => sandbox.cwd,
      },
    }),
    filesystem: () => ({ types: mods.filesystem.types, preopens: { getDirectories: () => fs().preopens.getDirectories() } }),
    sockets: () => ({ ...mods.sockets, instanceNetwork: { instanceNetwork: () => net().instanceNetwork.instanceNetwork() } }),
    http: () => ({
      ...mods.http,
      outgoingHandler: {
        ...mods.http.outgoingHandler,
        handle(...args) {
          if (!sandbox.network) throw 'access-denied';
          return mods.http.outgoingHandler.handle(...args);
        },
      },
    }),
  };
  const built = {};
  const out = {};
  for (const name of imports) {
    const split = splitImport(name);
    if (!split || !mods[split[0]]) throw new Error(`the component imports ${name}, which this runtime does not provide`);
    const [pkg, iface] = split;
    built[pkg] ??= namespaces[pkg] ? namespaces[pkg]() : mods[pkg];
    const ns = built[pkg][iface];
    if (!ns) throw new Error(`the component imports ${name}, which preview2-shim does not implement`);
    out[name] = ns;
  }
  return out;
}
