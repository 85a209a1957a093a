// rdkafka_mock.h refuses to compile unless rdkafka.h came first.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
