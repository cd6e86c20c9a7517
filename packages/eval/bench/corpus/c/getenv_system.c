// label: vulnerable CWE-78
#include <stdio.h>
#include <stdlib.h>

/* Open the user's editor on a scratch file. */
int main(void) {
    const char *editor = getenv("EDITOR");
    char cmd[512];
    if (!editor) editor = "vi";
    snprintf(cmd, sizeof cmd, "%s /tmp/scratch.txt", editor);
    return system(cmd);
}
