// label: vulnerable CWE-120
#include <stdio.h>
#include <stdlib.h>

/* Open the per-user config file under $HOME. */
FILE *open_config(void) {
    char path[128];
    const char *home = getenv("HOME");
    if (!home) return NULL;
    sprintf(path, "%s/.config/tool/settings.ini", home);
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
