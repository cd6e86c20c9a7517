// label: clean
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void) {
    char name[] = "/tmp/reportXXXXXX";
    int fd = mkstemp(name);
    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return 1;
    }
    fprintf(f, "report\n");
    fclose(f);
    printf("wrote %s\n", name);
    return 0;
}
