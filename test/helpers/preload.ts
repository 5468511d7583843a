// Pinned for every test: stable time zone and no colours in anything we parse.
process.env.TZ = 'UTC';
process.env.NO_COLOR = '1';
