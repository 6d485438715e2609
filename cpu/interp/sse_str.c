// SPDX-License-Identifier: MIT
#include "cpu/interp/sse.h"

const struct sse_op sse_ops_str[] = {
	{ 0, 0, NULL },
};
