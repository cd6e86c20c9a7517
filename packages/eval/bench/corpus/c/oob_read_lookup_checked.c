// label: clean
#include <stdio.h>
#include <stdlib.h>

static const char *MONTHS[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        char *end;
        long m = strtol(argv[i], &end, 10);
        if (*end != '\0' || m < 1 || m > 12) {
            fprintf(stderr, "bad month: %s\n", argv[i]);
            continue;
        }
        printf("%ld -> %s\n", m, MONTHS[m - 1]);
    }
    return 0;
}
