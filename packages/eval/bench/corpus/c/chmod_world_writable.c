// label: vulnerable CWE-732
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Create the daemon's PID file. */
int write_pidfile(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) return -1;
    dprintf(fd, "%d\n", (int)getpid());
    close(fd);
    return chmod(path, S_IRWXU | S_IRWXG | S_IRWXO);
}

int main(void) {
    return write_pidfile("/var/run/mydaemon.pid") == 0 ? 0 : 1;
}
