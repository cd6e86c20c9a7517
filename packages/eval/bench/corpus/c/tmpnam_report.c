// label: vulnerable CWE-377
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    char name[L_tmpnam];
    if (tmpnam(name) == NULL) return 1;
    FILE *f = fopen(name, "w");
    if (!f) return 1;
    fprintf(f, "report\n");
    fclose(f);
    printf("wrote %s\n", name);
    return 0;
}
