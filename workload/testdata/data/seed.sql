insert into items values ('apple'), ('pear'), ('plum');
