// label: clean
#include <stdio.h>

int main(int argc, char **argv) {
    char greeting[64];
    if (argc < 2) {
        fprintf(stderr, "usage: %s NAME\n", argv[0]);
        return 1;
    }
    snprintf(greeting, sizeof greeting, "Hello, %s", argv[1]);
    puts(greeting);
    return 0;
}
