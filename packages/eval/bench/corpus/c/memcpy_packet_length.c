// label: vulnerable CWE-120
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

struct message {
    uint16_t type;
    char body[256];
};

/* Parse one framed message: 2 bytes type, 2 bytes length, then the body. */
int parse_message(const uint8_t *buf, size_t len, struct message *out) {
    if (len < 4) return -1;
    uint16_t type = (uint16_t)(buf[0] << 8 | buf[1]);
    uint16_t body_len = (uint16_t)(buf[2] << 8 | buf[3]);
    out->type = type;
    memcpy(out->body, buf + 4, body_len);
    return 0;
}

int main(void) {
    uint8_t buf[4096];
    ssize_t n = read(0, buf, sizeof buf);
    struct message m;
    if (n > 0 && parse_message(buf, (size_t)n, &m) == 0) printf("type %u\n", m.type);
    return 0;
}
