/*
 * The DSDT of trivisor's PC board (i440FX host bridge, PIIX3 ISA bridge,
 * PIIX4 power management), compiled with iasl at build time and embedded.
 * SPDX-License-Identifier: MIT
 *
 * Four names are placeholders that firmware/acpi.c patches in the AML, each
 * a DWord the compiler must keep as one (hence the odd initial values):
 *   PHLO  start of the 32-bit PCI hole (the top of RAM below 4 GiB)
 *   FDEN  a floppy controller is present (0/1)
 *   HPEN  an HPET is present (0/1)
 *   NCOM  how many of COM1 and COM2 are present (0..2)
 */
DefinitionBlock ("dsdt.aml", "DSDT", 1, "TRIVSR", "TRIVPC", 0x00000001)
{
	Name (PHLO, 0xC0FFEE01)
	Name (FDEN, 0xC0FFEE02)
	Name (HPEN, 0xC0FFEE03)
	Name (NCOM, 0xC0FFEE04)

	/* SLP_TYP 0 in PM1a_CNT is soft off on the PIIX4 */
	Name (_S5, Package (0x04) { 0x00, 0x00, 0x00, 0x00 })

	/* the OS says which interrupt model it uses; nothing here depends on it */
	Name (PICF, 0x00)
	Method (_PIC, 1, NotSerialized)
	{
		PICF = Arg0
	}

	/* no general-purpose events are wired; the block exists so the OS finds it */
	Scope (\_GPE)
	{
		Name (_HID, "ACPI0006")
	}

	Scope (\_SB)
	{
		Device (PCI0)
		{
			Name (_HID, EisaId ("PNP0A03"))
			Name (_UID, 0x00)
			Name (_BBN, 0x00)

			Name (CRES, ResourceTemplate ()
			{
				WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
					0x0000, 0x0000, 0x00FF, 0x0000, 0x0100)
				IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08)
				WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
					0x0000, 0x0000, 0x0CF7, 0x0000, 0x0CF8)
				WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
					0x0000, 0x0D00, 0xFFFF, 0x0000, 0xF300)
				DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite,
					0x00000000, 0x000A0000, 0x000BFFFF, 0x00000000, 0x00020000)
				DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
					0x00000000, 0xC0000000, 0xFEBFFFFF, 0x00000000, 0x3EC00000,
					,, PH32, AddressRangeMemory, TypeStatic)
			})

			/* the hole runs from the top of low RAM to just below the IOAPIC */
			Method (_CRS, 0, NotSerialized)
			{
				CreateDWordField (CRES, \_SB.PCI0.PH32._MIN, PMIN)
				CreateDWordField (CRES, \_SB.PCI0.PH32._MAX, PMAX)
				CreateDWordField (CRES, \_SB.PCI0.PH32._LEN, PLEN)
				PMIN = PHLO
				PLEN = PMAX - PMIN + 0x01
				Return (CRES)
			}

			/* INTx of every slot to the PIIX3's PIRQ lines, rotated by slot:
			 * PIRQ = (slot + pin) & 3, pin A = 0 */
			Name (_PRT, Package ()
			{
			Package () { 0x0000FFFF, 0, LNKA, 0 }, Package () { 0x0000FFFF, 1, LNKB, 0 },
			Package () { 0x0000FFFF, 2, LNKC, 0 }, Package () { 0x0000FFFF, 3, LNKD, 0 },
			Package () { 0x0001FFFF, 0, LNKB, 0 }, Package () { 0x0001FFFF, 1, LNKC, 0 },
			Package () { 0x0001FFFF, 2, LNKD, 0 }, Package () { 0x0001FFFF, 3, LNKA, 0 },
			Package () { 0x0002FFFF, 0, LNKC, 0 }, Package () { 0x0002FFFF, 1, LNKD, 0 },
			Package () { 0x0002FFFF, 2, LNKA, 0 }, Package () { 0x0002FFFF, 3, LNKB, 0 },
			Package () { 0x0003FFFF, 0, LNKD, 0 }, Package () { 0x0003FFFF, 1, LNKA, 0 },
			Package () { 0x0003FFFF, 2, LNKB, 0 }, Package () { 0x0003FFFF, 3, LNKC, 0 },
			Package () { 0x0004FFFF, 0, LNKA, 0 }, Package () { 0x0004FFFF, 1, LNKB, 0 },
			Package () { 0x0004FFFF, 2, LNKC, 0 }, Package () { 0x0004FFFF, 3, LNKD, 0 },
			Package () { 0x0005FFFF, 0, LNKB, 0 }, Package () { 0x0005FFFF, 1, LNKC, 0 },
			Package () { 0x0005FFFF, 2, LNKD, 0 }, Package () { 0x0005FFFF, 3, LNKA, 0 },
			Package () { 0x0006FFFF, 0, LNKC, 0 }, Package () { 0x0006FFFF, 1, LNKD, 0 },
			Package () { 0x0006FFFF, 2, LNKA, 0 }, Package () { 0x0006FFFF, 3, LNKB, 0 },
			Package () { 0x0007FFFF, 0, LNKD, 0 }, Package () { 0x0007FFFF, 1, LNKA, 0 },
			Package () { 0x0007FFFF, 2, LNKB, 0 }, Package () { 0x0007FFFF, 3, LNKC, 0 },
			Package () { 0x0008FFFF, 0, LNKA, 0 }, Package () { 0x0008FFFF, 1, LNKB, 0 },
			Package () { 0x0008FFFF, 2, LNKC, 0 }, Package () { 0x0008FFFF, 3, LNKD, 0 },
			Package () { 0x0009FFFF, 0, LNKB, 0 }, Package () { 0x0009FFFF, 1, LNKC, 0 },
			Package () { 0x0009FFFF, 2, LNKD, 0 }, Package () { 0x0009FFFF, 3, LNKA, 0 },
			Package () { 0x000AFFFF, 0, LNKC, 0 }, Package () { 0x000AFFFF, 1, LNKD, 0 },
			Package () { 0x000AFFFF, 2, LNKA, 0 }, Package () { 0x000AFFFF, 3, LNKB, 0 },
			Package () { 0x000BFFFF, 0, LNKD, 0 }, Package () { 0x000BFFFF, 1, LNKA, 0 },
			Package () { 0x000BFFFF, 2, LNKB, 0 }, Package () { 0x000BFFFF, 3, LNKC, 0 },
			Package () { 0x000CFFFF, 0, LNKA, 0 }, Package () { 0x000CFFFF, 1, LNKB, 0 },
			Package () { 0x000CFFFF, 2, LNKC, 0 }, Package () { 0x000CFFFF, 3, LNKD, 0 },
			Package () { 0x000DFFFF, 0, LNKB, 0 }, Package () { 0x000DFFFF, 1, LNKC, 0 },
			Package () { 0x000DFFFF, 2, LNKD, 0 }, Package () { 0x000DFFFF, 3, LNKA, 0 },
			Package () { 0x000EFFFF, 0, LNKC, 0 }, Package () { 0x000EFFFF, 1, LNKD, 0 },
			Package () { 0x000EFFFF, 2, LNKA, 0 }, Package () { 0x000EFFFF, 3, LNKB, 0 },
			Package () { 0x000FFFFF, 0, LNKD, 0 }, Package () { 0x000FFFFF, 1, LNKA, 0 },
			Package () { 0x000FFFFF, 2, LNKB, 0 }, Package () { 0x000FFFFF, 3, LNKC, 0 },
			Package () { 0x0010FFFF, 0, LNKA, 0 }, Package () { 0x0010FFFF, 1, LNKB, 0 },
			Package () { 0x0010FFFF, 2, LNKC, 0 }, Package () { 0x0010FFFF, 3, LNKD, 0 },
			Package () { 0x0011FFFF, 0, LNKB, 0 }, Package () { 0x0011FFFF, 1, LNKC, 0 },
			Package () { 0x0011FFFF, 2, LNKD, 0 }, Package () { 0x0011FFFF, 3, LNKA, 0 },
			Package () { 0x0012FFFF, 0, LNKC, 0 }, Package () { 0x0012FFFF, 1, LNKD, 0 },
			Package () { 0x0012FFFF, 2, LNKA, 0 }, Package () { 0x0012FFFF, 3, LNKB, 0 },
			Package () { 0x0013FFFF, 0, LNKD, 0 }, Package () { 0x0013FFFF, 1, LNKA, 0 },
			Package () { 0x0013FFFF, 2, LNKB, 0 }, Package () { 0x0013FFFF, 3, LNKC, 0 },
			Package () { 0x0014FFFF, 0, LNKA, 0 }, Package () { 0x0014FFFF, 1, LNKB, 0 },
			Package () { 0x0014FFFF, 2, LNKC, 0 }, Package () { 0x0014FFFF, 3, LNKD, 0 },
			Package () { 0x0015FFFF, 0, LNKB, 0 }, Package () { 0x0015FFFF, 1, LNKC, 0 },
			Package () { 0x0015FFFF, 2, LNKD, 0 }, Package () { 0x0015FFFF, 3, LNKA, 0 },
			Package () { 0x0016FFFF, 0, LNKC, 0 }, Package () { 0x0016FFFF, 1, LNKD, 0 },
			Package () { 0x0016FFFF, 2, LNKA, 0 }, Package () { 0x0016FFFF, 3, LNKB, 0 },
			Package () { 0x0017FFFF, 0, LNKD, 0 }, Package () { 0x0017FFFF, 1, LNKA, 0 },
			Package () { 0x0017FFFF, 2, LNKB, 0 }, Package () { 0x0017FFFF, 3, LNKC, 0 },
			Package () { 0x0018FFFF, 0, LNKA, 0 }, Package () { 0x0018FFFF, 1, LNKB, 0 },
			Package () { 0x0018FFFF, 2, LNKC, 0 }, Package () { 0x0018FFFF, 3, LNKD, 0 },
			Package () { 0x0019FFFF, 0, LNKB, 0 }, Package () { 0x0019FFFF, 1, LNKC, 0 },
			Package () { 0x0019FFFF, 2, LNKD, 0 }, Package () { 0x0019FFFF, 3, LNKA, 0 },
			Package () { 0x001AFFFF, 0, LNKC, 0 }, Package () { 0x001AFFFF, 1, LNKD, 0 },
			Package () { 0x001AFFFF, 2, LNKA, 0 }, Package () { 0x001AFFFF, 3, LNKB, 0 },
			Package () { 0x001BFFFF, 0, LNKD, 0 }, Package () { 0x001BFFFF, 1, LNKA, 0 },
			Package () { 0x001BFFFF, 2, LNKB, 0 }, Package () { 0x001BFFFF, 3, LNKC, 0 },
			Package () { 0x001CFFFF, 0, LNKA, 0 }, Package () { 0x001CFFFF, 1, LNKB, 0 },
			Package () { 0x001CFFFF, 2, LNKC, 0 }, Package () { 0x001CFFFF, 3, LNKD, 0 },
			Package () { 0x001DFFFF, 0, LNKB, 0 }, Package () { 0x001DFFFF, 1, LNKC, 0 },
			Package () { 0x001DFFFF, 2, LNKD, 0 }, Package () { 0x001DFFFF, 3, LNKA, 0 },
			Package () { 0x001EFFFF, 0, LNKC, 0 }, Package () { 0x001EFFFF, 1, LNKD, 0 },
			Package () { 0x001EFFFF, 2, LNKA, 0 }, Package () { 0x001EFFFF, 3, LNKB, 0 },
			Package () { 0x001FFFFF, 0, LNKD, 0 }, Package () { 0x001FFFFF, 1, LNKA, 0 },
			Package () { 0x001FFFFF, 2, LNKB, 0 }, Package () { 0x001FFFFF, 3, LNKC, 0 }
			})

			/* the PIIX3 at 00:01.0: its PIRQ route control registers 0x60-0x63
			 * (bit 7 set: routing off; bits 3-0: the ISA IRQ) */
			Device (ISA)
			{
				Name (_ADR, 0x00010000)
				OperationRegion (P40C, PCI_Config, 0x60, 0x04)

				Device (KBD)
				{
					Name (_HID, EisaId ("PNP0303"))
					Name (_STA, 0x0F)
					Name (_CRS, ResourceTemplate ()
					{
						IO (Decode16, 0x0060, 0x0060, 0x01, 0x01)
						IO (Decode16, 0x0064, 0x0064, 0x01, 0x01)
						IRQNoFlags () {1}
					})
				}

				Device (MOU)
				{
					Name (_HID, EisaId ("PNP0F13"))
					Name (_STA, 0x0F)
					Name (_CRS, ResourceTemplate ()
					{
						IRQNoFlags () {12}
					})
				}

				Device (RTC)
				{
					Name (_HID, EisaId ("PNP0B00"))
					Name (_STA, 0x0F)
					Name (_CRS, ResourceTemplate ()
					{
						IO (Decode16, 0x0070, 0x0070, 0x01, 0x08)
						IRQNoFlags () {8}
					})
				}

				Device (COM1)
				{
					Name (_HID, EisaId ("PNP0501"))
					Name (_UID, 0x01)
					Method (_STA, 0, NotSerialized)
					{
						If (NCOM >= 0x01)
						{
							Return (0x0F)
						}
						Return (0x00)
					}
					Name (_CRS, ResourceTemplate ()
					{
						IO (Decode16, 0x03F8, 0x03F8, 0x00, 0x08)
						IRQNoFlags () {4}
					})
				}

				Device (COM2)
				{
					Name (_HID, EisaId ("PNP0501"))
					Name (_UID, 0x02)
					Method (_STA, 0, NotSerialized)
					{
						If (NCOM >= 0x02)
						{
							Return (0x0F)
						}
						Return (0x00)
					}
					Name (_CRS, ResourceTemplate ()
					{
						IO (Decode16, 0x02F8, 0x02F8, 0x00, 0x08)
						IRQNoFlags () {3}
					})
				}

				Device (FDC0)
				{
					Name (_HID, EisaId ("PNP0700"))
					Method (_STA, 0, NotSerialized)
					{
						If (FDEN)
						{
							Return (0x0F)
						}
						Return (0x00)
					}
					Name (_CRS, ResourceTemplate ()
					{
						IO (Decode16, 0x03F2, 0x03F2, 0x00, 0x04)
						IO (Decode16, 0x03F7, 0x03F7, 0x00, 0x01)
						IRQNoFlags () {6}
						DMA (Compatibility, NotBusMaster, Transfer8, ) {2}
					})
				}
			}

			Field (ISA.P40C, ByteAcc, NoLock, Preserve)
			{
				PRQ0, 8,
				PRQ1, 8,
				PRQ2, 8,
				PRQ3, 8
			}

			/* QEMU's fw_cfg, for the guest's own driver */
			Device (FWCF)
			{
				Name (_HID, "QEMU0002")
				Name (_STA, 0x0B)
				Name (_CRS, ResourceTemplate ()
				{
					IO (Decode16, 0x0510, 0x0510, 0x01, 0x0C)
				})
			}
		}

		/* the PCI interrupt links: what the PIIX3's route registers say */
		Method (LSTA, 1, NotSerialized)
		{
			If (Arg0 & 0x80)
			{
				Return (0x09)
			}
			Return (0x0B)
		}

		/* the interrupt number sits at byte 5 of an extended interrupt descriptor */
		Method (LCRS, 1, Serialized)
		{
			Local0 = ResourceTemplate ()
			{
				Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, ,, ) {0}
			}
			CreateDWordField (Local0, 0x05, PRRV)
			If (!(Arg0 & 0x80))
			{
				PRRV = Arg0 & 0x0F
			}
			Return (Local0)
		}

		Method (LSRS, 1, Serialized)
		{
			CreateDWordField (Arg0, 0x05, PRRV)
			Return (PRRV & 0x0F)
		}

		Name (PRSL, ResourceTemplate ()
		{
			Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, ,, ) {5, 10, 11}
		})

		Device (LNKA)
		{
			Name (_HID, EisaId ("PNP0C0F"))
			Name (_UID, 0x00)
			Method (_PRS, 0, NotSerialized) { Return (PRSL) }
			Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.PRQ0)) }
			Method (_DIS, 0, NotSerialized) { \_SB.PCI0.PRQ0 |= 0x80 }
			Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.PRQ0)) }
			Method (_SRS, 1, NotSerialized) { \_SB.PCI0.PRQ0 = LSRS (Arg0) }
		}

		Device (LNKB)
		{
			Name (_HID, EisaId ("PNP0C0F"))
			Name (_UID, 0x01)
			Method (_PRS, 0, NotSerialized) { Return (PRSL) }
			Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.PRQ1)) }
			Method (_DIS, 0, NotSerialized) { \_SB.PCI0.PRQ1 |= 0x80 }
			Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.PRQ1)) }
			Method (_SRS, 1, NotSerialized) { \_SB.PCI0.PRQ1 = LSRS (Arg0) }
		}

		Device (LNKC)
		{
			Name (_HID, EisaId ("PNP0C0F"))
			Name (_UID, 0x02)
			Method (_PRS, 0, NotSerialized) { Return (PRSL) }
			Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.PRQ2)) }
			Method (_DIS, 0, NotSerialized) { \_SB.PCI0.PRQ2 |= 0x80 }
			Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.PRQ2)) }
			Method (_SRS, 1, NotSerialized) { \_SB.PCI0.PRQ2 = LSRS (Arg0) }
		}

		Device (LNKD)
		{
			Name (_HID, EisaId ("PNP0C0F"))
			Name (_UID, 0x03)
			Method (_PRS, 0, NotSerialized) { Return (PRSL) }
			Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.PRQ3)) }
			Method (_DIS, 0, NotSerialized) { \_SB.PCI0.PRQ3 |= 0x80 }
			Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.PRQ3)) }
			Method (_SRS, 1, NotSerialized) { \_SB.PCI0.PRQ3 = LSRS (Arg0) }
		}

		Device (HPET)
		{
			Name (_HID, EisaId ("PNP0103"))
			Name (_UID, 0x00)
			Method (_STA, 0, NotSerialized)
			{
				If (HPEN)
				{
					Return (0x0F)
				}
				Return (0x00)
			}
			Name (_CRS, ResourceTemplate ()
			{
				Memory32Fixed (ReadOnly, 0xFED00000, 0x00000400)
			})
		}
	}
}
