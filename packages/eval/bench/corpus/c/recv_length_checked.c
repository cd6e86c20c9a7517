// label: clean
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void handle(int fd) {
    char payload[1024];
    uint8_t raw[4096];
    ssize_t n = recv(fd, raw, sizeof raw, 0);
    if (n < 4) return;
    uint32_t len = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
    if (len > sizeof payload || len > (size_t)n - 4) return;
    memcpy(payload, raw + 4, len);
    send(fd, payload, len, 0);
}
