// label: vulnerable CWE-377
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Write the diagnostics to a fresh temporary file and print its name. */
int main(void) {
    char templ[] = "/tmp/diagXXXXXX";
    if (mktemp(templ) == NULL || templ[0] == '\0') return 1;
    FILE *f = fopen(templ, "w");
    if (!f) return 1;
    fprintf(f, "pid=%d\n", 42);
    fclose(f);
    puts(templ);
    return 0;
}
