// label: vulnerable CWE-120
#include <stdio.h>
#include <string.h>

/* Print a greeting built from the first command-line argument. */
int main(int argc, char **argv) {
    char greeting[64];
    if (argc < 2) {
        fprintf(stderr, "usage: %s NAME\n", argv[0]);
        return 1;
    }
    strcpy(greeting, "Hello, ");
    strcat(greeting, argv[1]);
    puts(greeting);
    return 0;
}
