// label: vulnerable CWE-120
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Handle one request on a connected socket: a 4-byte length, then the payload. */
void handle(int fd) {
    char payload[1024];
    uint8_t raw[4096];
    ssize_t n = recv(fd, raw, sizeof raw, 0);
    if (n < 4) return;
    uint32_t len = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
    memcpy(payload, raw + 4, len);
    send(fd, payload, len < sizeof payload ? len : sizeof payload, 0);
}
