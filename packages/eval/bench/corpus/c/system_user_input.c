// label: vulnerable CWE-78
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compress a file the user names with gzip. */
int main(void) {
    char path[200];
    char cmd[256];
    printf("file to compress: ");
    if (!fgets(path, sizeof path, stdin)) return 1;
    path[strcspn(path, "\n")] = '\0';
    snprintf(cmd, sizeof cmd, "gzip -9 %s", path);
    return system(cmd);
}
