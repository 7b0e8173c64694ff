-- Version 2: widgets get a colour.
alter table ${schema}.widget add column colour text not null default 'grey';
