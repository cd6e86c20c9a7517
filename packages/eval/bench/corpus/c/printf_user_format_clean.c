// label: clean
#include <stdio.h>

static void log_message(FILE *out, const char *msg) {
    fprintf(out, "%s\n", msg);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) log_message(stderr, argv[i]);
    return 0;
}
