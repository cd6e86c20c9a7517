// label: vulnerable CWE-134
#include <stdio.h>

static void log_message(FILE *out, const char *msg) {
    fprintf(out, msg);
    fputc('\n', out);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) log_message(stderr, argv[i]);
    return 0;
}
