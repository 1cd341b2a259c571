package io.soaklab.internal.report;

import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.fasterxml.jackson.databind.SequenceWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of one CSV file, written by jackson-dataformat-csv: a cell is quoted only when it must
 * be (it holds a comma, a quote or a line break), as RFC 4180 has it and spreadsheets expect. The
 * cells are text the caller formats: numbers read exactly as written.
 */
final class CsvRows {

    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING).build();

    private final List<String[]> rows = new ArrayList<>();
    private List<String> row;

    /** A file whose first row is {@code header}. */
    CsvRows(List<String> header) {
        rows.add(header.toArray(String[]::new));
    }

    /** Starts the next row. */
    CsvRows row() {
        if (row != null) {
            rows.add(row.toArray(String[]::new));
        }
        row = new ArrayList<>();
        return this;
    }

    /** Adds a cell to the current row; null is an empty cell. */
    CsvRows cell(Object value) {
        row.add(value == null ? "" : value.toString());
        return this;
    }

    /** The file's bytes, UTF-8, one line per row. */
    byte[] bytes() throws IOException {
        if (row != null) {
            rows.add(row.toArray(String[]::new));
            row = null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (SequenceWriter w = CSV.writerFor(String[].class).with(CsvSchema.emptySchema()).writeValues(out)) {
            for (String[] r : rows) {
                w.write(r);
            }
        }
        return out.toByteArray();
    }
}
