// label: vulnerable CWE-134
#include <stdio.h>
#include <string.h>

/* Echo each line typed, prefixed with its number. */
int main(void) {
    char line[256];
    int n = 0;
    while (fgets(line, sizeof line, stdin)) {
        printf("%d: ", ++n);
        printf(line);
    }
    return 0;
}
