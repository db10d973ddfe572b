/*
 * pad.c - low-entropy read-only data that brings the sample connector binaries above 100 KiB,
 * the size below which the seed's indicator table calls a provider DLL suspicious. Real
 * connector DLLs are far larger than the tiny test fixtures.
 */
#define L "Kerio Outlook Connector (Offline Edition) sample image padding, so the binary is a realistic size.\n"
#define L8 L L L L L L L L
#define L64 L8 L8 L8 L8 L8 L8 L8 L8
#define L512 L64 L64 L64 L64 L64 L64 L64 L64

__attribute__((used)) const char koff_sample_padding[] = L512 L512 L512;
