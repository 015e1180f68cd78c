-- Attempts to write, escalate or escape through run_query's read-only mode. Every one must be refused
-- by the guard (before anything reaches SQL Server). Same format as reads.sql.

-- @category dml
DELETE FROM dbo.Orders
GO
DELETE dbo.Orders WHERE OrderID = 1
GO
UPDATE dbo.Products SET UnitPrice = 0
GO
UPDATE p SET p.UnitPrice = 1 FROM dbo.Products p WHERE p.ProductID = 1
GO
INSERT INTO dbo.Regions (RegionID, Name) VALUES (99, 'Nowhere')
GO
INSERT dbo.Regions VALUES (98, 'Elsewhere')
GO
INSERT INTO dbo.Regions SELECT RegionID + 100, Name FROM dbo.Regions
GO
MERGE dbo.Regions AS t USING (SELECT 1 AS RegionID) AS s ON t.RegionID = s.RegionID WHEN MATCHED THEN DELETE;
GO
MERGE INTO dbo.Regions t USING dbo.Regions s ON 1 = 0 WHEN NOT MATCHED THEN INSERT (RegionID, Name) VALUES (s.RegionID + 10, s.Name);
GO
TRUNCATE TABLE dbo.OrderLines
GO
DELETE TOP (10) FROM dbo.OrderLines
GO
UPDATE TOP (1) dbo.Employees SET Salary = Salary * 2
GO
DELETE FROM dbo.Orders OUTPUT deleted.* WHERE OrderID = 1
GO
INSERT INTO dbo.Regions (RegionID, Name) OUTPUT inserted.RegionID VALUES (97, 'x')
GO
UPDATE dbo.Employees SET Salary = 1 OUTPUT inserted.EmployeeID WHERE EmployeeID = 1
GO

-- @category batch
SELECT 1; DELETE FROM dbo.Orders
GO
SELECT * FROM dbo.Orders; UPDATE dbo.Orders SET Status = 'x'
GO
SELECT 1
DELETE FROM dbo.Orders
GO
DECLARE @n int = 1; DELETE FROM dbo.Orders WHERE OrderID = @n
GO
SET @x = 1; DROP TABLE dbo.Orders
GO
SELECT 1 /* ; */ ; DELETE FROM dbo.Orders
GO
SELECT ';' AS a; TRUNCATE TABLE dbo.Orders
GO
SELECT 1 -- comment
; INSERT INTO dbo.Regions VALUES (96, 'x')
GO
SELECT [a;b] = 1; DELETE FROM dbo.Orders
GO
SELECT 'x'''; DELETE FROM dbo.Orders; --'
GO
SELECT N'it''s' AS s; UPDATE dbo.Products SET Name = 'x'
GO

-- @category cte
WITH x AS (SELECT 1 AS a) DELETE FROM dbo.Orders
GO
WITH x AS (SELECT * FROM dbo.Orders) DELETE FROM x
GO
WITH x AS (SELECT * FROM dbo.Orders) UPDATE x SET Status = 'hacked'
GO
WITH x AS (SELECT 1 AS a) INSERT INTO dbo.Regions SELECT 90, 'x' FROM x
GO
WITH x AS (SELECT RegionID FROM dbo.Regions) MERGE dbo.Regions t USING x s ON t.RegionID = s.RegionID WHEN MATCHED THEN DELETE;
GO
WITH a AS (SELECT 1 AS n), b AS (SELECT n FROM a) DELETE FROM dbo.OrderLines WHERE OrderID IN (SELECT n FROM b)
GO

-- @category into
SELECT * INTO dbo.OrdersCopy FROM dbo.Orders
GO
SELECT * INTO #tmp FROM dbo.Orders
GO
SELECT TOP 1 * INTO ##global FROM dbo.Orders
GO
SELECT OrderID INTO Sales.dbo.Stolen FROM dbo.Orders
GO
WITH x AS (SELECT 1 AS a) SELECT * INTO dbo.Made FROM x
GO
SELECT * INTO dbo.U FROM dbo.Orders UNION SELECT * FROM dbo.Orders
GO

-- @category ddl
DROP TABLE dbo.Orders
GO
DROP VIEW dbo.vEmployeeDirectory
GO
CREATE TABLE dbo.Evil (a int)
GO
CREATE VIEW dbo.vEvil AS SELECT 1 AS a
GO
CREATE PROCEDURE dbo.pEvil AS SELECT 1
GO
CREATE FUNCTION dbo.fEvil() RETURNS int AS BEGIN RETURN 1 END
GO
CREATE TRIGGER trg ON dbo.Orders AFTER INSERT AS DELETE FROM dbo.Orders
GO
CREATE INDEX ix_evil ON dbo.Orders (Status)
GO
CREATE USER eve WITHOUT LOGIN
GO
CREATE LOGIN eve WITH PASSWORD = 'x'
GO
CREATE SCHEMA evil
GO
CREATE DATABASE evil
GO
ALTER TABLE dbo.Orders ADD Evil int
GO
ALTER TABLE dbo.Orders DROP COLUMN Status
GO
ALTER VIEW dbo.vEmployeeDirectory AS SELECT 1 AS a
GO
ALTER DATABASE Sales SET SINGLE_USER
GO
ALTER LOGIN sa WITH PASSWORD = 'x'
GO
ALTER USER alice WITH DEFAULT_SCHEMA = dbo
GO
ALTER ROLE db_owner ADD MEMBER alice
GO
ALTER AUTHORIZATION ON SCHEMA::dbo TO alice
GO
DROP DATABASE Sales
GO
DROP USER alice
GO
DROP SCHEMA dbo
GO
DROP INDEX IX_Orders_CustomerID ON dbo.Orders
GO
CREATE SYNONYM dbo.s FOR master.dbo.spt_values
GO
CREATE SEQUENCE dbo.seq START WITH 1
GO
SELECT NEXT VALUE FOR dbo.seq
GO

-- @category permissions
GRANT SELECT ON dbo.Employees TO alice
GO
GRANT CONTROL ON DATABASE::Sales TO alice
GO
DENY SELECT ON dbo.Orders TO bob
GO
REVOKE SELECT ON dbo.Orders FROM alice
GO
EXEC sp_addrolemember 'db_owner', 'alice'
GO
EXEC sp_addsrvrolemember 'bridge_svc', 'sysadmin'
GO
EXEC sp_droprolemember 'db_datareader', 'alice'
GO
EXEC sp_changedbowner 'alice'
GO
EXEC sp_adduser 'eve'
GO
EXEC sp_password NULL, 'x', 'sa'
GO

-- @category impersonation
EXECUTE AS USER = 'dbo'
GO
EXECUTE AS USER = 'dbo'; SELECT * FROM dbo.Employees
GO
EXECUTE AS LOGIN = 'sa'; SELECT 1
GO
EXEC AS USER = 'bob'
GO
REVERT
GO
REVERT; SELECT * FROM dbo.Employees
GO
SELECT 1; REVERT; SELECT * FROM dbo.Employees
GO
SETUSER 'dbo'
GO
SETUSER
GO
EXECUTE AS CALLER
GO

-- @category dynamic
EXEC('DELETE FROM dbo.Orders')
GO
EXECUTE ('SELECT 1')
GO
EXEC ('SEL' + 'ECT 1')
GO
EXEC sp_executesql N'DELETE FROM dbo.Orders'
GO
EXECUTE sp_executesql N'SELECT 1'
GO
EXEC sys.sp_executesql N'SELECT 1'
GO
DECLARE @s nvarchar(100) = N'DELETE FROM dbo.Orders'; EXEC (@s)
GO
DECLARE @s nvarchar(100) = N'DELETE FROM dbo.Orders'; EXEC sp_executesql @s
GO
DECLARE @p sysname = 'sp_who'; EXEC @p
GO
EXEC ('SELECT 1') AT linked_server
GO
EXEC sp_describe_first_result_set N'DELETE FROM dbo.Orders'
GO
EXEC sp_describe_first_result_set @tsql = N'SELECT * FROM master.sys.databases'
GO

-- @category procedures
EXEC xp_cmdshell 'whoami'
GO
EXEC master..xp_cmdshell 'dir c:\'
GO
EXEC master.dbo.xp_cmdshell 'dir'
GO
EXEC sp_configure 'xp_cmdshell', 1
GO
EXEC sp_configure 'show advanced options', 1; RECONFIGURE
GO
RECONFIGURE
GO
EXEC sp_who
GO
EXEC sp_who2
GO
EXEC sp_lock
GO
EXEC sp_rename 'dbo.Orders', 'Orders2'
GO
EXEC sp_OACreate 'WScript.Shell', 1
GO
EXEC xp_regread 'HKEY_LOCAL_MACHINE', 'SOFTWARE'
GO
EXEC xp_dirtree 'c:\'
GO
EXEC xp_fileexist 'c:\boot.ini'
GO
EXEC msdb.dbo.sp_send_dbmail @recipients = 'a@b.c', @body = 'x'
GO
EXEC msdb.dbo.sp_start_job 'job'
GO
EXEC msdb.dbo.sp_add_job @job_name = 'evil'
GO
EXEC sp_addlinkedserver 'evil'
GO
EXEC sp_addextendedproc 'xp_evil', 'evil.dll'
GO
EXEC sp_MSforeachtable 'DELETE FROM ?'
GO
EXEC dbo.usp_DeleteEverything
GO
EXEC sp_help_revlogin
GO
sp_who
GO
xp_cmdshell 'dir'
GO
EXEC sp_help 'master.dbo.spt_values'
GO
EXEC sp_columns @table_name = 'sysobjects', @table_qualifier = 'master'
GO
EXEC sp_tables @table_qualifier = 'msdb'
GO
EXEC master.sys.sp_help 'spt_values'
GO
EXEC sp_helptext 'msdb.dbo.sp_send_dbmail'
GO

-- @category linked
SELECT * FROM OPENQUERY(remote, 'SELECT 1')
GO
SELECT * FROM OPENROWSET('SQLNCLI', 'Server=evil;Trusted_Connection=yes;', 'SELECT 1')
GO
SELECT * FROM OPENROWSET(BULK 'c:\secrets.txt', SINGLE_CLOB) AS x
GO
SELECT * FROM OPENDATASOURCE('SQLNCLI', 'Data Source=evil').master.dbo.sysdatabases
GO
SELECT * FROM evilserver.Sales.dbo.Orders
GO
SELECT * FROM [evil].[Sales].[dbo].[Orders]
GO
SELECT o.* FROM dbo.Orders o JOIN remote.Sales.dbo.Customers c ON c.CustomerID = o.CustomerID
GO
SELECT (SELECT TOP 1 a FROM OPENQUERY(remote, 'SELECT 1 AS a')) AS x
GO
SELECT * FROM dbo.Orders WHERE EXISTS (SELECT 1 FROM OPENROWSET('MSDASQL', 'x', 'SELECT 1'))
GO
WITH x AS (SELECT * FROM OPENQUERY(remote, 'SELECT 1 AS a')) SELECT * FROM x
GO
SELECT * FROM OPENXML(1, '/root', 2)
GO
DECLARE @x nvarchar(max) = (SELECT TOP 1 a FROM OPENQUERY(remote, 'SELECT 1 AS a')); SELECT @x
GO
SELECT * FROM dbo.Orders CROSS APPLY OPENQUERY(remote, 'SELECT 1') q
GO

-- @category blocked
SELECT * FROM master.sys.databases
GO
SELECT * FROM master.dbo.spt_values
GO
SELECT name FROM master..sysdatabases
GO
SELECT * FROM [master].[sys].[sql_logins]
GO
SELECT * FROM MASTER.sys.server_principals
GO
SELECT * FROM msdb.dbo.backupset
GO
SELECT * FROM msdb..sysjobs
GO
SELECT * FROM tempdb.sys.objects
GO
SELECT * FROM model.sys.tables
GO
SELECT o.* FROM dbo.Orders o WHERE o.CustomerID IN (SELECT principal_id FROM master.sys.server_principals)
GO
WITH x AS (SELECT name FROM master.sys.databases) SELECT * FROM x
GO
SELECT (SELECT COUNT(*) FROM msdb.dbo.sysjobs) AS jobs
GO
SELECT * FROM dbo.Orders CROSS APPLY (SELECT TOP 1 name FROM master.sys.databases) d
GO
SELECT * FROM dbo.Orders UNION ALL SELECT * FROM master.dbo.spt_values
GO
DECLARE @n int = (SELECT COUNT(*) FROM master.sys.databases); SELECT @n
GO
SELECT master.dbo.fn_varbintohexstr(0x01)
GO
SELECT * FROM master.sys.fn_my_permissions(NULL, 'SERVER')
GO
USE master
GO
USE master; SELECT * FROM sys.databases
GO
USE Sales
GO
SELECT * FROM "master"."sys"."databases"
GO

-- @category locks
SELECT * FROM dbo.Orders WITH (UPDLOCK)
GO
SELECT * FROM dbo.Orders WITH (XLOCK, ROWLOCK)
GO
SELECT * FROM dbo.Orders WITH (TABLOCKX)
GO
SELECT * FROM dbo.Orders WITH (HOLDLOCK)
GO
SELECT * FROM dbo.Orders o WITH (NOLOCK) JOIN dbo.Customers c WITH (TABLOCK) ON c.CustomerID = o.CustomerID
GO
SELECT * FROM dbo.Orders WITH (SERIALIZABLE)
GO
SELECT * FROM dbo.Orders WITH (PAGLOCK, REPEATABLEREAD)
GO

-- @category session
SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED
GO
SET IMPLICIT_TRANSACTIONS ON
GO
SET CONTEXT_INFO 0x01
GO
SET ROWCOUNT 1
GO
SET ANSI_NULLS OFF
GO
SET QUOTED_IDENTIFIER OFF
GO
SET XACT_ABORT OFF
GO
SET DEADLOCK_PRIORITY HIGH
GO
SET LOCK_TIMEOUT 0
GO
SET SHOWPLAN_XML ON
GO
SET STATISTICS IO ON
GO
SET LANGUAGE French
GO
SET DATEFORMAT dmy
GO
SET IDENTITY_INSERT dbo.Orders ON
GO
SET FMTONLY ON
GO
SET PARSEONLY ON
GO
EXEC sp_set_session_context 'user', 'admin'
GO

-- @category transactions
BEGIN TRANSACTION
GO
BEGIN TRAN; SELECT 1
GO
COMMIT
GO
COMMIT TRANSACTION
GO
ROLLBACK
GO
SELECT 1; COMMIT
GO
SAVE TRANSACTION sp1
GO
BEGIN DISTRIBUTED TRANSACTION
GO

-- @category control
WAITFOR DELAY '00:10:00'
GO
WAITFOR TIME '23:59'
GO
SELECT 1; WAITFOR DELAY '01:00:00'
GO
IF 1 = 1 DELETE FROM dbo.Orders
GO
IF EXISTS (SELECT 1 FROM dbo.Orders) SELECT 1
GO
WHILE 1 = 1 SELECT 1
GO
BEGIN SELECT 1 END
GO
BEGIN TRY DELETE FROM dbo.Orders END TRY BEGIN CATCH SELECT 1 END CATCH
GO
GOTO here
GO
RETURN
GO
THROW 50000, 'x', 1
GO
RAISERROR('x', 16, 1) WITH LOG
GO
PRINT 'hello'
GO
DECLARE c CURSOR FOR SELECT OrderID FROM dbo.Orders
GO
OPEN c
GO
FETCH NEXT FROM c
GO
DECLARE @t TABLE (a int); INSERT INTO @t VALUES (1); SELECT * FROM @t
GO
DECLARE @t TABLE (a int)
GO

-- @category server
SHUTDOWN
GO
SHUTDOWN WITH NOWAIT
GO
KILL 52
GO
DBCC CHECKDB
GO
DBCC DROPCLEANBUFFERS
GO
DBCC FREEPROCCACHE
GO
CHECKPOINT
GO
BACKUP DATABASE Sales TO DISK = 'c:\x.bak'
GO
RESTORE DATABASE Sales FROM DISK = 'c:\x.bak'
GO
BULK INSERT dbo.Orders FROM 'c:\x.csv'
GO
UPDATE STATISTICS dbo.Orders
GO
ENABLE TRIGGER ALL ON dbo.Orders
GO
DISABLE TRIGGER ALL ON dbo.Orders
GO
READTEXT dbo.Orders.Status 0x01 0 1
GO
UPDATETEXT dbo.Orders.Status 0x01 0 1 'x'
GO
CREATE EVENT SESSION evil ON SERVER ADD EVENT sqlserver.sql_statement_completed
GO

-- @category malformed
SELEC * FROM dbo.Orders
GO
SELECT * FROM
GO
SELECT 'unclosed FROM dbo.Orders
GO
SELECT * FROM dbo.Orders WHERE
GO
DELETE
GO
;
GO
/* only a comment */
GO
