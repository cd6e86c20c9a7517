// label: vulnerable CWE-787
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

/* Read one line from a client socket into buf. */
int read_line(int fd, char *buf, int size) {
    int i = 0;
    char c;
    while (read(fd, &c, 1) == 1) {
        if (c == '\n') break;
        buf[i++] = c;
    }
    buf[i] = '\0';
    return i;
}

void handle_client(int fd) {
    char cmd[128];
    read_line(fd, cmd, sizeof cmd);
    dprintf(fd, "you said: %s\n", cmd);
    close(fd);
}
