#include "CShims.h"

#include <stdio.h>

void cshims_line_buffered_stdout(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
}

