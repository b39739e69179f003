// `docker exec -t` the way Docker's shim and conmon do it: `runc exec -t -d --console-socket`,
// with a small python3 monitor (Debian's python3 is installed with python3-docker) that receives
// the pty master over the console socket (SCM_RIGHTS: node cannot), is the exec'd process's
// subreaper (so it reaps it and knows its exit code once runc has gone), relays the pty to its
// stdin/stdout and applies "rows cols" lines read on fd 3 as the pty's size. Unlike `runc exec -t`
// in the foreground, runc does not clear ONLCR on the container's pty, so a program's "\n"
// reaches the client as "\r\n", as with Docker.

// argv: console socket path, pid file, code file, "stdin"|"nostdin", runc argv...
// The code file gets the exec'd process's exit code (128+n for a signal), or runc's own
// non-zero code when it could not start the process.
export const TTY_EXEC_MONITOR = String.raw`
import ctypes, fcntl, os, select, socket, struct, subprocess, sys, termios
sock_path, pid_file, code_file, want_stdin = sys.argv[1:5]
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sock_path)
srv.listen(1)
runc = subprocess.Popen(sys.argv[5:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
master = None
while master is None and runc.poll() is None:
    if select.select([srv], [], [], 0.05)[0]:
        conn, _ = srv.accept()
        _, fds, _, _ = socket.recv_fds(conn, 16, 1)
        conn.close()
        master = fds[0] if fds else None
srv.close()
os.unlink(sock_path)
rc = runc.wait()
def finish(code):
    with open(code_file, 'w') as f:
        f.write('%d\n' % code)
    sys.exit(0)
if rc != 0 or master is None:
    finish(rc or 126)
pid = int(open(pid_file).read().strip())
def write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]
stdin_open = want_stdin == 'stdin'
ctl_open = True
ctl = b''
code = None
while True:
    watch = [master] + ([0] if stdin_open else []) + ([3] if ctl_open else [])
    ready = select.select(watch, [], [], 0.05 if code is not None else 0.2)[0]
    if master in ready:
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b''  # EIO: nothing holds the pty's other side any more
        if not data:
            break
        write_all(1, data)
    elif code is not None:
        break  # the process has ended and its output is drained
    if 0 in ready:
        data = os.read(0, 65536)
        if data:
            write_all(master, data)
        else:
            stdin_open = False
            write_all(master, b'\x04')  # end of input is ^D typed into the terminal
    if 3 in ready:
        data = os.read(3, 4096)
        if not data:
            ctl_open = False
        ctl += data
        while b'\n' in ctl:
            line, ctl = ctl.split(b'\n', 1)
            rows, cols = (int(x) for x in line.split())
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    if code is None:
        try:
            wpid, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            wpid, status = pid, 0
        if wpid == pid:
            code = os.waitstatus_to_exitcode(status)
            code = 128 - code if code < 0 else code
if code is None:
    try:
        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        code = 128 - code if code < 0 else code
    except ChildProcessError:
        code = 0
finish(code)
`;
