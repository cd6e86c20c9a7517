// label: vulnerable CWE-121
#include <stdio.h>

/* Build the path of a user's mailbox from the command line. */
int main(int argc, char **argv) {
    char path[64];
    if (argc < 2) return 1;
    sprintf(path, "/var/mail/%s", argv[1]);
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    int c, lines = 0;
    while ((c = fgetc(f)) != EOF) lines += c == '\n';
    fclose(f);
    printf("%d lines\n", lines);
    return 0;
}
