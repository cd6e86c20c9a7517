// label: vulnerable CWE-798
#include <stdio.h>
#include <string.h>

static const char *ADMIN_PASSWORD = "S3cr3t!admin";

int check_admin(const char *attempt) {
    return strcmp(attempt, ADMIN_PASSWORD) == 0;
}

int main(void) {
    char pw[64];
    printf("password: ");
    if (!fgets(pw, sizeof pw, stdin)) return 1;
    pw[strcspn(pw, "\n")] = '\0';
    puts(check_admin(pw) ? "welcome" : "denied");
    return 0;
}
