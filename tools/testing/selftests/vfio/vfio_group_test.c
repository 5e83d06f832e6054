// SPDX-License-Identifier: GPL-2.0
#include "../kselftest_harness.h"
#include "vfiotest.h"

TEST(placeholder)
{
	SKIP(return, "not written yet");
}

TEST_HARNESS_MAIN
