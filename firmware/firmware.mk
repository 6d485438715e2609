LIB_SRCS += $(wildcard firmware/*.c)

# The DSDT: firmware/dsdt.asl compiled by iasl (acpica-tools) into AML, then
# into a C array that firmware/acpi.c includes. Warnings fail the build.
DSDT_AML := $(O)/gen/firmware/dsdt.aml
DSDT_HDR := $(O)/gen/firmware/dsdt_aml.h

$(DSDT_AML): firmware/dsdt.asl
	@mkdir -p $(dir $@)
	@iasl -vs -we -p $(basename $@) $< > $@.log 2>&1 || { cat $@.log; rm -f $@; exit 1; }

$(DSDT_HDR): $(DSDT_AML)
	@{ echo 'static const unsigned char dsdt_aml[] = {'; \
	   od -An -v -tx1 $< | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	   echo '};'; } > $@.tmp && mv $@.tmp $@

$(O)/obj/firmware/acpi.o $(O)/san/firmware/acpi.o: $(DSDT_HDR)
$(O)/obj/firmware/acpi.o $(O)/san/firmware/acpi.o: CFLAGS += -I$(O)/gen
