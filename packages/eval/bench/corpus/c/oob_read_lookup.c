// label: vulnerable CWE-125
#include <stdio.h>
#include <stdlib.h>

static const char *MONTHS[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Print the month name for each number given on the command line (1-12). */
int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        int m = atoi(argv[i]);
        printf("%d -> %s\n", m, MONTHS[m - 1]);
    }
    return 0;
}
