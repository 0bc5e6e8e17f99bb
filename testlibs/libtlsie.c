/* Initial-exec TLS (-ftls-model=initial-exec): a static offset from the
 * thread pointer that only start-up libraries can have. Must be refused. */
__thread int ie_value = 5;

int ie_get(void)
{
	return ie_value;
}
