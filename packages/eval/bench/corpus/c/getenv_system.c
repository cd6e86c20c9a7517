// label: vulnerable CWE-78
#include <stdio.h>
#include <stdlib.h>

/* CGI helper: list the files of the album named in the query string. */
int main(void) {
    const char *album = getenv("QUERY_STRING");
    char cmd[512];
    if (!album) album = "default";
    printf("Content-Type: text/plain\r\n\r\n");
    fflush(stdout);
    snprintf(cmd, sizeof cmd, "ls /srv/albums/%s", album);
    return system(cmd);
}
