// label: clean
#include <stdio.h>
#include <string.h>

struct config {
    char user[32];
    char host[64];
    int port;
};

int load_config(const char *path, struct config *cfg) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[512], key[64], value[256];
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%63s = %255s", key, value) != 2) continue;
        if (strcmp(key, "user") == 0) snprintf(cfg->user, sizeof cfg->user, "%s", value);
        else if (strcmp(key, "host") == 0) snprintf(cfg->host, sizeof cfg->host, "%s", value);
        else if (strcmp(key, "port") == 0) sscanf(value, "%d", &cfg->port);
    }
    fclose(f);
    return 0;
}

int main(int argc, char **argv) {
    struct config c = {"", "localhost", 22};
    if (argc > 1 && load_config(argv[1], &c) == 0) printf("%s@%s:%d\n", c.user, c.host, c.port);
    return 0;
}
