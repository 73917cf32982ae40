package dev.weft.linux.doctor;

/** One line of the doctor's report. A failed required check makes {@code weft doctor} exit non-zero. */
record Check(String name, boolean required, boolean ok, String detail) {
}
