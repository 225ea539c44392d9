// SPDX-License-Identifier: GPL-2.0-or-later
/* Without libFuzzer: runs LLVMFuzzerTestOneInput over the files given (CI smoke, seeds). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		static uint8_t buf[1 << 20];
		size_t n;

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		/* whole file, then every prefix length class: truncation must be safe too */
		LLVMFuzzerTestOneInput(buf, n);
		for (size_t k = 1; k < n; k = k * 2 + 1)
			LLVMFuzzerTestOneInput(buf, k);
	}
	return 0;
}
