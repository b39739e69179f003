// Shapes shared by every driver contract.

/** What a driver's probe found on this host. `ok: false` means the driver cannot run here. */
export interface ProbeReport {
  ok: boolean;
  /** why it cannot run, with how to fix it (e.g. "runc not found: apt-get install runc") */
  reason?: string;
  /** it runs, but something was adjusted (e.g. "crun 1.8 refuses hybrid cgroups; using runc") */
  warnings: string[];
  /** facts worth showing in `berth doctor` / `docker info` */
  details?: Record<string, string>;
}

/** Paths a driver may use; every one derives from the daemon's --root. */
export interface DriverPaths {
  /** the daemon root, e.g. /var/lib/berth */
  root: string;
  /** this driver's own state dir, e.g. <root>/storage/overlay */
  state: string;
  /** runtime (tmpfs-like) dir for sockets and pid files, e.g. <root>/run */
  run: string;
}

/** A Docker-shaped error a driver or decider raises; the API maps `status` to HTTP. */
export class BerthError extends Error {
  constructor(
    message: string,
    /** 400 bad parameter, 403 forbidden, 404 not found, 409 conflict, 500 internal, 501 not implemented */
    readonly status: 400 | 403 | 404 | 409 | 500 | 501 | 503 = 500,
    readonly code: string = 'internal',
  ) {
    super(message);
    this.name = 'BerthError';
  }
}

export const notFound = (msg: string) => new BerthError(msg, 404, 'not-found');
export const conflict = (msg: string) => new BerthError(msg, 409, 'conflict');
export const badRequest = (msg: string) => new BerthError(msg, 400, 'bad-parameter');
export const notImplemented = (msg: string) => new BerthError(msg, 501, 'not-implemented');
