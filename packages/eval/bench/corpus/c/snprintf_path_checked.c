// label: clean
#include <stdio.h>
#include <stdlib.h>

FILE *open_config(void) {
    char path[4096];
    const char *home = getenv("HOME");
    if (!home) return NULL;
    int n = snprintf(path, sizeof path, "%s/.config/tool/settings.ini", home);
    if (n < 0 || (size_t)n >= sizeof path) return NULL;
    return fopen(path, "r");
}

int main(void) {
    FILE *f = open_config();
    if (!f) return 1;
    char line[256];
    while (fgets(line, sizeof line, f)) fputs(line, stdout);
    fclose(f);
    return 0;
}
