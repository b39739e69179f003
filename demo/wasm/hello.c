/*
 * Berth's demo WASI program. It greets with its arguments (unless the first is -q),
 * then runs the actions its arguments name, in order:
 *
 *   print TEXT        print TEXT on stdout
 *   read              read one line from stdin, print got:<line>
 *   env NAME          print NAME=value (or NAME is unset)
 *   ls DIR            list a directory
 *   cat FILE          print a file
 *   write FILE TEXT   write TEXT and a newline to FILE
 *   err TEXT          print TEXT on stderr
 *   sleep MS          sleep (poll_oneoff) for MS milliseconds
 *   spin              busy-loop forever (a guest that never yields)
 *   grow MB           allocate and touch MB mebibytes, one at a time
 *   exit CODE         exit with CODE
 *
 * With no arguments it runs the demo: env GREETING, ls /, exit 0.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int need(int i, int n, int argc, const char *action) {
  if (i + n >= argc) {
    fprintf(stderr, "hello: %s needs %d argument(s)\n", action, n);
    exit(2);
  }
  return 1;
}

static void do_env(const char *name) {
  const char *v = getenv(name);
  if (v) printf("%s=%s\n", name, v);
  else printf("%s is unset\n", name);
}

static void do_ls(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    printf("ls %s: %s\n", dir, strerror(errno));
    return;
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) printf("ls %s: %s\n", dir, e->d_name);
  }
  closedir(d);
}

static void do_cat(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    printf("cat %s: %s\n", path, strerror(errno));
    return;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
  fclose(f);
}

static void do_write(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) {
    printf("write %s: %s\n", path, strerror(errno));
    return;
  }
  fprintf(f, "%s\n", text);
  fclose(f);
  printf("wrote %s\n", path);
}

static void do_sleep(long ms) {
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep(&ts, NULL);
}

static void do_spin(void) {
  volatile unsigned long n = 0;
  for (;;) n++;
}

/* kept reachable so the compiler cannot drop the allocations */
static char *volatile grown[4096];

static void do_grow(long mb) {
  for (long i = 0; i < mb; i++) {
    char *p = malloc(1 << 20);
    if (i < 4096) grown[i] = p;
    if (!p) {
      printf("grow: out of memory after %ld MiB\n", i);
      fflush(stdout);
      exit(12);
    }
    memset(p, (int)i, 1 << 20);
  }
  printf("grew %ld MiB\n", mb);
}

static void do_read(void) {
  char line[4096];
  if (!fgets(line, sizeof line, stdin)) line[0] = 0;
  line[strcspn(line, "\n")] = 0;
  printf("got:%s\n", line);
}

int main(int argc, char **argv) {
  int first = 1;
  if (argc > 1 && !strcmp(argv[1], "-q")) {
    first = 2;
  } else {
    printf("Hello from Berth WASM! argc=%d", argc);
    for (int i = 0; i < argc; i++) printf(" [%s]", argv[i]);
    printf("\n");
    fflush(stdout);
  }

  if (argc == 1) {
    do_env("GREETING");
    do_ls("/");
    return 0;
  }
  for (int i = first; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "print") && need(i, 1, argc, a)) printf("%s\n", argv[++i]);
    else if (!strcmp(a, "read")) do_read();
    else if (!strcmp(a, "env") && need(i, 1, argc, a)) do_env(argv[++i]);
    else if (!strcmp(a, "ls") && need(i, 1, argc, a)) do_ls(argv[++i]);
    else if (!strcmp(a, "cat") && need(i, 1, argc, a)) do_cat(argv[++i]);
    else if (!strcmp(a, "write") && need(i, 2, argc, a)) { do_write(argv[i + 1], argv[i + 2]); i += 2; }
    else if (!strcmp(a, "err") && need(i, 1, argc, a)) fprintf(stderr, "%s\n", argv[++i]);
    else if (!strcmp(a, "sleep") && need(i, 1, argc, a)) do_sleep(atol(argv[++i]));
    else if (!strcmp(a, "spin")) do_spin();
    else if (!strcmp(a, "grow") && need(i, 1, argc, a)) do_grow(atol(argv[++i]));
    else if (!strcmp(a, "exit") && need(i, 1, argc, a)) { fflush(stdout); exit(atoi(argv[++i])); }
    else {
      fprintf(stderr, "hello: unknown action %s\n", a);
      return 2;
    }
    fflush(stdout);
  }
  return 0;
}
