// Where python3 is (Debian's is installed with python3-docker): the drivers' small helpers that
// need calls node lacks (xattrs, receiving a pty over SCM_RIGHTS) run there. Undefined: none.
import { existsSync } from 'node:fs';

export const PYTHON_PATH: string | undefined = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));
