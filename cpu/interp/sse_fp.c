// SPDX-License-Identifier: MIT
#include "cpu/interp/sse.h"

const struct sse_op sse_ops_fp[] = {
	{ 0, 0, NULL },
};
