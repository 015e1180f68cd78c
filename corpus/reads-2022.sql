-- Read-only T-SQL of SQL Server 2017-2022, from the T-SQL reference's "what's new" lists, against the sample
-- Sales database. Same format as reads.sql; `npm run corpus` measures this file apart (guard and execution).

-- @category window-frames
SELECT OrderID, OrderDate, COUNT(*) OVER (ORDER BY OrderDate ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS Last3 FROM dbo.Orders WHERE OrderID <= 20
GO
SELECT OrderID, SUM(OrderID) OVER (ORDER BY OrderID ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS Running FROM dbo.Orders WHERE OrderID <= 20
GO
SELECT OrderID, AVG(CAST(OrderID AS decimal(10, 2))) OVER (ORDER BY OrderID ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING) AS Centered FROM dbo.Orders WHERE OrderID <= 30
GO
SELECT ProductID, UnitPrice, SUM(UnitPrice) OVER (ORDER BY UnitPrice RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS CumPrice FROM dbo.Products
GO
SELECT ProductID, MAX(UnitPrice) OVER (PARTITION BY Category ORDER BY ProductID ROWS UNBOUNDED PRECEDING) AS MaxSoFar FROM dbo.Products
GO
SELECT ProductID, LAST_VALUE(Name) OVER (PARTITION BY Category ORDER BY UnitPrice ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS Priciest FROM dbo.Products
GO
SELECT ProductID, FIRST_VALUE(Name) OVER (PARTITION BY Category ORDER BY UnitPrice) AS Cheapest FROM dbo.Products
GO
SELECT OrderID, MIN(OrderDate) OVER (ORDER BY OrderID ROWS BETWEEN 1 FOLLOWING AND 5 FOLLOWING) AS NextFive FROM dbo.Orders WHERE OrderID <= 20
GO

-- @category window-clause
SELECT ProductID, Category, UnitPrice, SUM(UnitPrice) OVER w AS CatTotal, AVG(UnitPrice) OVER w AS CatAvg FROM dbo.Products WINDOW w AS (PARTITION BY Category)
GO
SELECT OrderID, CustomerID, ROW_NUMBER() OVER w AS N, LAG(OrderID) OVER w AS PrevOrder FROM dbo.Orders WHERE CustomerID <= 5 WINDOW w AS (PARTITION BY CustomerID ORDER BY OrderDate)
GO
SELECT ProductID, SUM(UnitPrice) OVER (w ORDER BY ProductID) AS Running FROM dbo.Products WINDOW w AS (PARTITION BY Category)
GO
SELECT EmployeeID, Salary, RANK() OVER win AS R, DENSE_RANK() OVER win AS DR FROM dbo.Employees WHERE DepartmentID = 1 WINDOW win AS (ORDER BY Salary DESC)
GO
SELECT ProductID, MIN(UnitPrice) OVER a AS Lo, MAX(UnitPrice) OVER b AS Hi FROM dbo.Products WINDOW a AS (PARTITION BY Category), b AS (a)
GO

-- @category grouping
SELECT Category, Discontinued, COUNT(*) AS N FROM dbo.Products GROUP BY GROUPING SETS ((Category, Discontinued), (Category), ())
GO
SELECT Category, Discontinued, COUNT(*) AS N, GROUPING(Category) AS GC, GROUPING(Discontinued) AS GD FROM dbo.Products GROUP BY CUBE (Category, Discontinued)
GO
SELECT Category, Discontinued, COUNT(*) AS N, GROUPING_ID(Category, Discontinued) AS GID FROM dbo.Products GROUP BY ROLLUP (Category, Discontinued)
GO
SELECT Status, YEAR(OrderDate) AS Y, COUNT(*) AS N FROM dbo.Orders GROUP BY GROUPING SETS ((Status), (YEAR(OrderDate)))
GO
SELECT RegionID, COUNT(*) AS N FROM dbo.Customers GROUP BY RegionID WITH ROLLUP
GO
SELECT Category, COUNT(*) AS N FROM dbo.Products GROUP BY Category WITH CUBE
GO
SELECT CASE WHEN GROUPING(Category) = 1 THEN 'All' ELSE Category END AS Category, SUM(UnitPrice) AS Total FROM dbo.Products GROUP BY ROLLUP (Category)
GO
SELECT Status, CustomerID, COUNT(*) AS N FROM dbo.Orders WHERE CustomerID <= 3 GROUP BY GROUPING SETS (ROLLUP (Status), CustomerID)
GO

-- @category ordered-set
SELECT DISTINCT Category, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY UnitPrice) OVER (PARTITION BY Category) AS Median FROM dbo.Products
GO
SELECT DISTINCT Category, PERCENTILE_DISC(0.9) WITHIN GROUP (ORDER BY UnitPrice) OVER (PARTITION BY Category) AS P90 FROM dbo.Products
GO
SELECT DISTINCT PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY Salary) OVER () AS Q1 FROM dbo.Employees
GO
SELECT Category, STRING_AGG(Name, ', ') WITHIN GROUP (ORDER BY Name) AS Names FROM dbo.Products GROUP BY Category
GO
SELECT Category, APPROX_PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY UnitPrice) AS MedianApprox FROM dbo.Products GROUP BY Category
GO
SELECT Category, APPROX_PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY UnitPrice) AS MedianApprox FROM dbo.Products GROUP BY Category
GO
SELECT APPROX_COUNT_DISTINCT(CustomerID) AS Buyers FROM dbo.Orders
GO
SELECT ProductID, CUME_DIST() OVER (ORDER BY UnitPrice) AS CD, PERCENT_RANK() OVER (ORDER BY UnitPrice) AS PR FROM dbo.Products
GO
SELECT EmployeeID, NTILE(4) OVER (ORDER BY Salary) AS Quartile FROM dbo.Employees WHERE DepartmentID = 2
GO
SELECT OrderID, LEAD(OrderDate, 1, NULL) OVER (PARTITION BY CustomerID ORDER BY OrderDate) AS NextOrder FROM dbo.Orders WHERE CustomerID <= 3
GO

-- @category null-comparison
SELECT EmployeeID FROM dbo.Employees WHERE ManagerID IS DISTINCT FROM 1 AND EmployeeID <= 20
GO
SELECT EmployeeID FROM dbo.Employees WHERE ManagerID IS NOT DISTINCT FROM NULL
GO
SELECT c.CustomerID FROM dbo.Customers c JOIN dbo.Customers d ON c.Tags IS NOT DISTINCT FROM d.Tags AND c.CustomerID = d.CustomerID WHERE c.CustomerID <= 10
GO

-- @category greatest-least
SELECT GREATEST(1, 5, 3) AS G, LEAST(1, 5, 3) AS L
GO
SELECT ProductID, GREATEST(UnitPrice, 10) AS AtLeastTen, LEAST(UnitPrice, 100) AS AtMostHundred FROM dbo.Products
GO
SELECT GREATEST('apple', 'pear', 'fig') AS LastWord, LEAST(CAST('2024-01-01' AS date), CAST('2023-06-01' AS date)) AS Earliest
GO

-- @category date-2022
SELECT DATETRUNC(month, OrderDate) AS Month, COUNT(*) AS N FROM dbo.Orders GROUP BY DATETRUNC(month, OrderDate) ORDER BY Month
GO
SELECT DATETRUNC(year, HireDate) AS Y, COUNT(*) AS N FROM dbo.Employees GROUP BY DATETRUNC(year, HireDate) ORDER BY Y
GO
SELECT DATETRUNC(week, CAST('2024-05-15' AS date)) AS WeekStart, DATETRUNC(quarter, CAST('2024-05-15' AS date)) AS QuarterStart
GO
SELECT DATE_BUCKET(WEEK, 1, CAST(OrderDate AS date)) AS Week, COUNT(*) AS N FROM dbo.Orders GROUP BY DATE_BUCKET(WEEK, 1, CAST(OrderDate AS date)) ORDER BY Week
GO
SELECT DATE_BUCKET(DAY, 7, CAST('2024-05-15' AS date), CAST('2024-01-01' AS date)) AS Bucket
GO
SELECT DATE_BUCKET(MONTH, 3, OrderDate) AS Quarter, COUNT(*) AS N FROM dbo.Orders GROUP BY DATE_BUCKET(MONTH, 3, OrderDate)
GO
SELECT EOMONTH(CAST('2024-02-10' AS date)) AS EndOfFeb, DATEFROMPARTS(2024, 2, 29) AS LeapDay, DATETIME2FROMPARTS(2024, 1, 1, 12, 0, 0, 0, 0) AS Noon
GO
SELECT DATEDIFF_BIG(second, CAST('2000-01-01' AS datetime2), CAST('2024-01-01' AS datetime2)) AS Seconds
GO

-- @category time-zone
SELECT OrderID, OrderDate AT TIME ZONE 'UTC' AS AtUtc FROM dbo.Orders WHERE OrderID <= 5
GO
SELECT OrderID, OrderDate AT TIME ZONE 'UTC' AT TIME ZONE 'Pacific Standard Time' AS Pacific FROM dbo.Orders WHERE OrderID <= 5
GO
SELECT CAST('2024-07-01 12:00' AS datetime2) AT TIME ZONE 'Central European Standard Time' AS Berlin
GO
SELECT name, current_utc_offset, is_currently_dst FROM sys.time_zone_info WHERE name LIKE '%Pacific%'
GO
SELECT TOP 5 name FROM sys.time_zone_info ORDER BY name
GO
SELECT SWITCHOFFSET(CAST('2024-01-01T12:00:00+00:00' AS datetimeoffset), '+02:00') AS Shifted, TODATETIMEOFFSET(CAST('2024-01-01 12:00' AS datetime2), '-05:00') AS Eastern
GO

-- @category series
SELECT value FROM GENERATE_SERIES(1, 10)
GO
SELECT value FROM GENERATE_SERIES(0, 100, 25)
GO
SELECT DATEADD(day, value, CAST('2024-01-01' AS date)) AS Day FROM GENERATE_SERIES(0, 6)
GO
SELECT s.value AS Month, COUNT(o.OrderID) AS N FROM GENERATE_SERIES(1, 12) s LEFT JOIN dbo.Orders o ON MONTH(o.OrderDate) = s.value GROUP BY s.value ORDER BY s.value
GO
SELECT value, ordinal FROM STRING_SPLIT('red,green,blue', ',', 1) ORDER BY ordinal
GO
SELECT c.CustomerID, s.value AS Tag FROM dbo.Customers c CROSS APPLY STRING_SPLIT(c.Tags, ',') s WHERE c.CustomerID <= 10
GO
SELECT c.CustomerID, s.value AS Tag, s.ordinal FROM dbo.Customers c CROSS APPLY STRING_SPLIT(c.Tags, ',', 1) s WHERE c.CustomerID <= 10
GO

-- @category string-2022
SELECT TRIM('  padded  ') AS T, LTRIM('xxabc', 'x') AS L, RTRIM('abcyy', 'y') AS R
GO
SELECT TRIM('x' FROM 'xxabcxx') AS Both
GO
SELECT TRIM(LEADING '0' FROM '000123') AS Leading, TRIM(TRAILING '.' FROM 'end...') AS Trailing, TRIM(BOTH '*' FROM '**x**') AS BothSides
GO
SELECT CONCAT_WS(', ', FirstName, LastName, Email) AS Line FROM dbo.Employees WHERE EmployeeID <= 5
GO
SELECT CONCAT_WS(' | ', Name, Category, CAST(UnitPrice AS varchar(20))) AS Line FROM dbo.Products
GO
SELECT TRANSLATE('2*[3+4]/{7-2}', '[]{}', '()()') AS Formula
GO
SELECT Name, TRANSLATE(Name, 'aeiou', 'AEIOU') AS Shouted FROM dbo.Products
GO
SELECT SOUNDEX('Smith') AS S1, SOUNDEX('Smyth') AS S2, DIFFERENCE('Smith', 'Smyth') AS Similarity
GO
SELECT LastName, SOUNDEX(LastName) AS Code FROM dbo.Employees WHERE EmployeeID <= 10
GO
SELECT STRING_ESCAPE('a"b\c', 'json') AS Escaped
GO
SELECT REPLICATE('ab', 3) AS R, REVERSE('abc') AS Rev, STUFF('abcdef', 2, 3, 'XY') AS Stuffed, FORMAT(1234.5, 'N2') AS Formatted
GO

-- @category hashing
SELECT HASHBYTES('SHA2_256', 'hello') AS H
GO
SELECT ProductID, HASHBYTES('MD5', Name) AS NameHash FROM dbo.Products
GO
SELECT CHECKSUM(Name, Category) AS C, BINARY_CHECKSUM(Name) AS B FROM dbo.Products
GO
SELECT CHECKSUM_AGG(CHECKSUM(Name)) AS TableChecksum FROM dbo.Products
GO

-- @category json-2022
SELECT JSON_OBJECT('id': ProductID, 'name': Name) AS Doc FROM dbo.Products
GO
SELECT JSON_OBJECT('id': 1, 'tags': JSON_ARRAY('a', 'b'), 'none': NULL ABSENT ON NULL) AS Doc
GO
SELECT JSON_ARRAY(1, 'two', NULL NULL ON NULL) AS Arr
GO
SELECT ProductID, JSON_PATH_EXISTS(Attributes, '$.color') AS HasColor FROM dbo.Products WHERE Attributes IS NOT NULL
GO
SELECT ProductID, ISJSON(Attributes) AS Valid, ISJSON(Attributes, OBJECT) AS IsObject FROM dbo.Products
GO
SELECT ProductID, JSON_VALUE(Attributes, '$.color') AS Color, JSON_QUERY(Attributes, '$') AS Doc FROM dbo.Products WHERE ISJSON(Attributes) = 1
GO
SELECT p.ProductID, j.[key], j.[value] FROM dbo.Products p CROSS APPLY OPENJSON(p.Attributes) j WHERE p.Attributes IS NOT NULL
GO
SELECT JSON_MODIFY('{"a":1}', '$.a', 2) AS Modified
GO

-- @category apply-values
SELECT p.ProductID, v.Flag, v.Weight FROM dbo.Products p CROSS APPLY (VALUES (CAST(1 AS bit), 1.5), (CAST(0 AS bit), 2.25)) v(Flag, Weight)
GO
SELECT o.OrderID, x.Label FROM dbo.Orders o CROSS APPLY (VALUES ('first'), ('second')) x(Label) WHERE o.OrderID <= 3
GO
SELECT e.EmployeeID, m.Metric, m.Value FROM dbo.Employees e CROSS APPLY (VALUES ('salary', e.Salary), ('id', CAST(e.EmployeeID AS decimal(12, 2)))) m(Metric, Value) WHERE e.EmployeeID <= 3
GO

-- @category parse
SELECT TRY_PARSE('2024-01-02' AS date USING 'en-US') AS D
GO
SELECT PARSE('123' AS int) AS N, TRY_PARSE('abc' AS int) AS Bad
GO
SELECT TRY_PARSE('12/31/2024' AS datetime2 USING 'en-US') AS D
GO
SELECT TRY_CONVERT(int, '42') AS N, TRY_CAST('x' AS int) AS Bad
GO

-- @category recursion
WITH r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 150) SELECT MAX(n) AS Highest FROM r OPTION (MAXRECURSION 200)
GO
WITH chain AS (SELECT EmployeeID, ManagerID, 0 AS Depth FROM dbo.Employees WHERE ManagerID IS NULL UNION ALL SELECT e.EmployeeID, e.ManagerID, c.Depth + 1 FROM dbo.Employees e JOIN chain c ON e.ManagerID = c.EmployeeID) SELECT Depth, COUNT(*) AS N FROM chain GROUP BY Depth OPTION (MAXRECURSION 0)
GO
WITH d AS (SELECT CAST('2024-01-01' AS date) AS Day UNION ALL SELECT DATEADD(day, 1, Day) FROM d WHERE Day < '2024-03-31') SELECT COUNT(*) AS Days FROM d OPTION (MAXRECURSION 100)
GO

-- @category catalog-2022
SELECT i.name, i.type_desc, i.is_unique, i.is_primary_key, i.fill_factor FROM sys.indexes i WHERE i.object_id = OBJECT_ID('dbo.Orders')
GO
SELECT i.name AS IndexName, c.name AS ColumnName, ic.key_ordinal, ic.is_included_column FROM sys.indexes i JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id WHERE i.object_id = OBJECT_ID('dbo.OrderLines') ORDER BY i.name, ic.key_ordinal
GO
SELECT OBJECT_NAME(p.object_id) AS TableName, SUM(p.rows) AS Rows FROM sys.partitions p WHERE p.index_id IN (0, 1) GROUP BY p.object_id ORDER BY TableName
GO
SELECT name, compatibility_level, collation_name, state_desc, recovery_model_desc FROM sys.databases WHERE name = DB_NAME()
GO
SELECT OBJECT_NAME(fkc.parent_object_id) AS Child, COL_NAME(fkc.parent_object_id, fkc.parent_column_id) AS ChildColumn, OBJECT_NAME(fkc.referenced_object_id) AS Parent FROM sys.foreign_key_columns fkc ORDER BY Child
GO
SELECT OBJECT_NAME(object_id) AS TableName, SUM(row_count) AS Rows, SUM(used_page_count) * 8 AS UsedKB FROM sys.dm_db_partition_stats WHERE index_id IN (0, 1) GROUP BY object_id ORDER BY TableName
GO
SELECT t.name AS TableName, s.name AS SchemaName, t.create_date, t.modify_date FROM sys.tables t JOIN sys.schemas s ON s.schema_id = t.schema_id ORDER BY t.name
GO
SELECT c.name, TYPE_NAME(c.user_type_id) AS TypeName, c.max_length, c.is_nullable, c.is_identity FROM sys.columns c WHERE c.object_id = OBJECT_ID('dbo.Products') ORDER BY c.column_id
GO
SELECT SERVERPROPERTY('ProductVersion') AS Version, SERVERPROPERTY('Edition') AS Edition, DATABASEPROPERTYEX(DB_NAME(), 'Collation') AS Collation
GO
EXEC sp_describe_first_result_set N'SELECT ProductID, Name FROM dbo.Products'
GO
EXEC sp_helpindex 'dbo.Orders'
GO
EXEC sp_spaceused 'dbo.Orders'
GO

-- @category window-frames-more
SELECT EmployeeID, Salary, AVG(Salary) OVER (PARTITION BY DepartmentID ORDER BY HireDate ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) AS Moving FROM dbo.Employees WHERE DepartmentID = 3 AND EmployeeID <= 200
GO
SELECT OrderID, COUNT(*) OVER (PARTITION BY CustomerID ORDER BY OrderDate ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS Before FROM dbo.Orders WHERE CustomerID <= 3
GO
SELECT ProductID, UnitPrice, UnitPrice - LAG(UnitPrice, 1, UnitPrice) OVER (ORDER BY ProductID) AS Delta FROM dbo.Products
GO
SELECT ProductID, SUM(UnitPrice) OVER (PARTITION BY Category ORDER BY ProductID ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS Remaining FROM dbo.Products
GO
SELECT EmployeeID, ROW_NUMBER() OVER (PARTITION BY DepartmentID ORDER BY Salary DESC, EmployeeID) AS RankInDept FROM dbo.Employees WHERE EmployeeID <= 50
GO
SELECT OrderID, DATEDIFF(day, LAG(OrderDate) OVER (PARTITION BY CustomerID ORDER BY OrderDate), OrderDate) AS DaysSincePrevious FROM dbo.Orders WHERE CustomerID <= 5
GO

-- @category window-clause-more
SELECT OrderID, FIRST_VALUE(OrderDate) OVER w AS FirstOrder, LAST_VALUE(OrderDate) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS LastOrder FROM dbo.Orders WHERE CustomerID <= 3 WINDOW w AS (PARTITION BY CustomerID ORDER BY OrderDate)
GO
SELECT EmployeeID, NTILE(10) OVER w AS Decile, PERCENT_RANK() OVER w AS Pct FROM dbo.Employees WHERE DepartmentID = 4 WINDOW w AS (ORDER BY Salary)
GO
SELECT ProductID, COUNT(*) OVER byCat AS InCategory, COUNT(*) OVER () AS AllProducts FROM dbo.Products WINDOW byCat AS (PARTITION BY Category)
GO

-- @category grouping-more
SELECT RegionID, YEAR(CreatedAt) AS Y, COUNT(*) AS N, GROUPING_ID(RegionID, YEAR(CreatedAt)) AS Level FROM dbo.Customers GROUP BY CUBE (RegionID, YEAR(CreatedAt))
GO
SELECT d.Name AS Department, e.IsActive, COUNT(*) AS N FROM dbo.Employees e JOIN dbo.Departments d ON d.DepartmentID = e.DepartmentID GROUP BY GROUPING SETS ((d.Name, e.IsActive), (d.Name), ())
GO
SELECT Status, COUNT(*) AS N FROM dbo.Orders GROUP BY ROLLUP (Status) ORDER BY GROUPING(Status), Status
GO
SELECT COALESCE(Category, '(all)') AS Category, COUNT(*) AS N, AVG(UnitPrice) AS AvgPrice FROM dbo.Products GROUP BY GROUPING SETS ((Category), ())
GO

-- @category distinct-from-more
SELECT COUNT(*) AS Changed FROM dbo.Customers a JOIN dbo.Customers b ON b.CustomerID = a.CustomerID + 1 WHERE a.Tags IS DISTINCT FROM b.Tags
GO
SELECT CustomerID FROM dbo.Customers WHERE Email IS NOT DISTINCT FROM NULL
GO

-- @category greatest-least-more
SELECT OrderID, GREATEST(OrderDate, CAST('2023-01-01' AS datetime2)) AS NotBefore2023 FROM dbo.Orders WHERE OrderID <= 5
GO
SELECT EmployeeID, LEAST(Salary, 60000) AS Capped, GREATEST(Salary, 45000) AS Floored FROM dbo.Employees WHERE EmployeeID <= 10
GO
SELECT MAX(GREATEST(Quantity, 1)) AS MaxQty, MIN(LEAST(UnitPrice, 5)) AS MinPrice FROM dbo.OrderLines
GO

-- @category date-more
SELECT DATETRUNC(day, OrderDate) AS Day, COUNT(*) AS N FROM dbo.Orders WHERE OrderID <= 100 GROUP BY DATETRUNC(day, OrderDate)
GO
SELECT DATETRUNC(hour, CAST('2024-05-15 13:47:12' AS datetime2)) AS HourStart, DATETRUNC(minute, CAST('2024-05-15 13:47:12' AS datetime2)) AS MinuteStart
GO
SELECT DATE_BUCKET(DAY, 1, CAST('2024-05-15 13:47:12' AS datetime2)) AS DayStart, DATE_BUCKET(HOUR, 6, CAST('2024-05-15 13:47:12' AS datetime2)) AS SixHours
GO
SELECT DATE_BUCKET(YEAR, 1, HireDate) AS HireYear, COUNT(*) AS N FROM dbo.Employees GROUP BY DATE_BUCKET(YEAR, 1, HireDate) ORDER BY HireYear
GO
SELECT EOMONTH(OrderDate) AS MonthEnd, COUNT(*) AS N FROM dbo.Orders GROUP BY EOMONTH(OrderDate) ORDER BY MonthEnd
GO
SELECT DATEFROMPARTS(YEAR(OrderDate), MONTH(OrderDate), 1) AS MonthStart, COUNT(*) AS N FROM dbo.Orders GROUP BY DATEFROMPARTS(YEAR(OrderDate), MONTH(OrderDate), 1)
GO
SELECT DATENAME(weekday, OrderDate) AS Weekday, COUNT(*) AS N FROM dbo.Orders GROUP BY DATENAME(weekday, OrderDate)
GO

-- @category series-more
SELECT g.value AS Day, COUNT(o.OrderID) AS Orders FROM GENERATE_SERIES(1, 31) g LEFT JOIN dbo.Orders o ON DAY(o.OrderDate) = g.value GROUP BY g.value ORDER BY g.value
GO
SELECT value * value AS Square FROM GENERATE_SERIES(1, 5)
GO
SELECT value FROM GENERATE_SERIES(10, 1, -3)
GO
SELECT s.value AS Part, s.ordinal FROM STRING_SPLIT('2024-05-15', '-', 1) s WHERE s.ordinal = 2
GO
SELECT t.value AS Tag, COUNT(*) AS Customers FROM dbo.Customers c CROSS APPLY STRING_SPLIT(c.Tags, ',') t GROUP BY t.value ORDER BY Customers DESC
GO

-- @category string-more
SELECT CONCAT_WS('-', YEAR(OrderDate), MONTH(OrderDate), DAY(OrderDate)) AS DatePath FROM dbo.Orders WHERE OrderID <= 3
GO
SELECT CONCAT_WS(', ', NULL, 'b', NULL, 'd') AS SkipsNulls
GO
SELECT TRANSLATE(Email, '@.', '__') AS Flattened FROM dbo.Customers WHERE CustomerID <= 5
GO
SELECT TRIM(CHAR(32) FROM '  spaced  ') AS Trimmed, LTRIM(RTRIM('  both  ')) AS Classic
GO
SELECT STRING_AGG(CAST(value AS varchar(10)), '|') AS Joined FROM GENERATE_SERIES(1, 5)
GO
SELECT Category, STRING_AGG(CAST(ProductID AS varchar(10)), ',') WITHIN GROUP (ORDER BY ProductID DESC) AS Ids FROM dbo.Products GROUP BY Category
GO
SELECT Name, DIFFERENCE(Name, 'Widget') AS LooksLikeWidget FROM dbo.Products WHERE ProductID <= 10
GO

-- @category json-more
SELECT ProductID, JSON_VALUE(Attributes, '$.color') AS Color FROM dbo.Products WHERE JSON_PATH_EXISTS(Attributes, '$.color') = 1
GO
SELECT ProductID FROM dbo.Products WHERE ISJSON(Attributes, VALUE) = 1
GO
SELECT ISJSON('[1, 2]', ARRAY) AS IsArray, ISJSON('"x"', SCALAR) AS IsScalar
GO
SELECT o.OrderID, (SELECT ol.ProductID, ol.Quantity FROM dbo.OrderLines ol WHERE ol.OrderID = o.OrderID FOR JSON PATH) AS Lines FROM dbo.Orders o WHERE o.OrderID <= 3
GO
SELECT TOP 3 CustomerID, Name FROM dbo.Customers ORDER BY CustomerID FOR JSON AUTO, INCLUDE_NULL_VALUES
GO
SELECT j.[key], j.[value], j.[type] FROM OPENJSON('{"a":1,"b":[1,2],"c":"x"}') j
GO

-- @category apply-values-more
SELECT c.CustomerID, v.Kind, v.Amount FROM dbo.Customers c CROSS APPLY (VALUES ('region', c.RegionID), ('id', c.CustomerID)) v(Kind, Amount) WHERE c.CustomerID <= 3
GO
SELECT p.Category, x.Bucket FROM dbo.Products p CROSS APPLY (SELECT CASE WHEN p.UnitPrice < 50 THEN 'low' WHEN p.UnitPrice < 200 THEN 'mid' ELSE 'high' END AS Bucket) x WHERE p.ProductID <= 10
GO

-- @category conversion-more
SELECT TRY_CONVERT(date, '2024-02-30') AS Invalid, TRY_CONVERT(date, '2024-02-29') AS Valid
GO
SELECT TRY_CAST(Tags AS int) AS NumericTags FROM dbo.Customers WHERE CustomerID <= 5
GO
SELECT FORMAT(UnitPrice, 'N2') AS Price, FORMAT(CAST('2024-05-15' AS date), 'yyyy-MM-dd') AS Iso FROM dbo.Products WHERE ProductID <= 3
GO
SELECT PARSE('2024-05-15' AS datetime2) AS D, TRY_PARSE('not a date' AS datetime2) AS Bad
GO

-- @category recursion-more
WITH nums AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM nums WHERE n < 500) SELECT COUNT(*) AS N FROM nums OPTION (MAXRECURSION 1000)
GO
WITH fib AS (SELECT 1 AS i, CAST(0 AS bigint) AS a, CAST(1 AS bigint) AS b UNION ALL SELECT i + 1, b, a + b FROM fib WHERE i < 50) SELECT MAX(a) AS Fib50 FROM fib
GO

-- @category catalog-more
SELECT i.name, i.is_unique_constraint, i.has_filter FROM sys.indexes i WHERE i.object_id = OBJECT_ID('dbo.Customers')
GO
SELECT t.name AS TableName, i.name AS IndexName, i.type_desc FROM sys.tables t JOIN sys.indexes i ON i.object_id = t.object_id ORDER BY t.name, i.name
GO
SELECT t.name AS TableName, SUM(p.rows) AS Rows FROM sys.tables t JOIN sys.partitions p ON p.object_id = t.object_id AND p.index_id IN (0, 1) GROUP BY t.name ORDER BY Rows DESC
GO
SELECT fk.name, OBJECT_NAME(fk.parent_object_id) AS Child, OBJECT_NAME(fk.referenced_object_id) AS Parent, fk.delete_referential_action_desc FROM sys.foreign_keys fk ORDER BY fk.name
GO
SELECT name, collation_name FROM sys.databases ORDER BY database_id
GO
SELECT TOP 3 name, current_utc_offset FROM sys.time_zone_info WHERE name LIKE '%Europe%'
GO
EXEC sp_columns @table_name = 'Orders'
GO
EXEC sp_pkeys @table_name = 'OrderLines'
GO
EXEC sp_fkeys @pktable_name = 'Customers'
GO
EXEC sp_help 'dbo.Products'
GO
