// label: vulnerable CWE-367
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

/* Setuid helper: append a line to a file if the real user may write it. */
int main(int argc, char **argv) {
    if (argc < 3) return 2;
    if (access(argv[1], W_OK) != 0) {
        perror("access");
        return 1;
    }
    int fd = open(argv[1], O_WRONLY | O_APPEND);
    if (fd < 0) return 1;
    dprintf(fd, "%s\n", argv[2]);
    close(fd);
    return 0;
}
