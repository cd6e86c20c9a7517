// label: vulnerable CWE-134
#include <stdio.h>
#include <string.h>
#include <syslog.h>

void audit(const char *user, const char *action) {
    char msg[256];
    snprintf(msg, sizeof msg, "user %s did %s", user, action);
    syslog(LOG_INFO, msg);
}

int main(int argc, char **argv) {
    openlog("audit", LOG_PID, LOG_AUTH);
    if (argc > 2) audit(argv[1], argv[2]);
    closelog();
    return 0;
}
