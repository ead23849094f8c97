package systab

// Name returns the syscall's name in abi's table, and false when no table
// knows the number. For x32, nr may carry X32Bit or not.
// TODO(systab helper): generated tables.
func Name(abi ABI, nr uint32) (string, bool) {
	return "", false
}

// Number returns the number of the named syscall in abi's table (for x32, with
// X32Bit set), and false when that ABI has no such call.
func Number(abi ABI, name string) (uint32, bool) {
	return 0, false
}
